"""GitLab's GraphQL endpoint (``POST /api/graphql``), for the fields the harvest asks.

The strict parser of the GitHub fake (``graphql.Parser``: one anonymous ``query { ... }``,
aliases, literal arguments, here lists of strings and booleans too), checked against the
small schema below (an unknown field or argument is a whole-query error, as GitLab's
validation gives), then answered from the forge's data:

    Query       project(fullPath:) -> Project (null, without error, when unknown),
                projects(fullPaths:, first:) -> {nodes [Project]} (those that exist)
    Project     id fullPath, repository -> Repository (null when empty),
                languages -> [RepositoryLanguage {name share}] (REST's percentages)
    Repository  rootRef exists empty, tree(path:, ref:, recursive:) -> Tree (null for a
                ref other than the default branch, HEAD or the head commit),
                blobs(paths:, ref:) -> {nodes [RepositoryBlob]} (the paths that exist)
    Tree        lastCommit -> Commit {sha id}, trees / blobs / submodules(first:) ->
                {nodes [{name path type}]} (at most ``first``, default and max 100)
    RepositoryBlob  path name size rawSize (BigInt: strings), rawTextBlob (null when the
                bytes hold a NUL; bytes that are not UTF-8 are read as Latin-1 and given
                converted to UTF-8, as GitLab does)

A query over GitLab's default limits (complexity 250: each field 1, ``tree``, ``blobs``
and ``lastCommit`` 1 more; 10,000 characters) is refused as a whole. Without a token
(PRIVATE-TOKEN or Authorization header): 401 (real GitLab would answer anonymously, for
public projects). ``graphql_repo_error(full_name, times=1)``: that project's alias answers
null (its ``repository`` in ``projects``) with an error naming it. Faults:
``fail_next(..., path="/api/graphql")``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .core import json_response
from .gitlab import language_shares
from .graphql import Field, Parser, QueryError, validate

if TYPE_CHECKING:
    from .core import FakeRepo, Response
    from .server import FakeForge

PATH = "/api/graphql"
MAX_COMPLEXITY = 250
MAX_QUERY_LENGTH = 10_000
PAGE = 100

ENTRY = dict.fromkeys(("name", "path", "type", "flatPath", "id", "sha"), ((), ""))
SCHEMA: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "Query": {
        "project": (("fullPath",), "Project"),
        "projects": (("fullPaths", "ids", "first"), "ProjectConnection"),
    },
    "ProjectConnection": {"nodes": ((), "[Project]")},
    "Project": {
        "id": ((), ""),
        "fullPath": ((), ""),
        "repository": ((), "Repository"),
        "languages": ((), "[RepositoryLanguage]"),
    },
    "RepositoryLanguage": {"name": ((), ""), "share": ((), ""), "color": ((), "")},
    "Repository": {
        "rootRef": ((), ""),
        "exists": ((), ""),
        "empty": ((), ""),
        "tree": (("path", "ref", "recursive"), "Tree"),
        "blobs": (("paths", "ref"), "RepositoryBlobConnection"),
    },
    "Tree": {
        "lastCommit": ((), "Commit"),
        "trees": (("first",), "TreeEntryConnection"),
        "blobs": (("first",), "BlobConnection"),
        "submodules": (("first",), "SubmoduleConnection"),
    },
    "Commit": {"sha": ((), ""), "id": ((), "")},
    "TreeEntryConnection": {"nodes": ((), "[TreeEntry]")},
    "BlobConnection": {"nodes": ((), "[Blob]")},
    "SubmoduleConnection": {"nodes": ((), "[Submodule]")},
    "TreeEntry": ENTRY,
    "Blob": ENTRY | {"mode": ((), "")},
    "Submodule": ENTRY,
    "RepositoryBlobConnection": {"nodes": ((), "[RepositoryBlob]")},
    "RepositoryBlob": dict.fromkeys(("path", "name", "size", "rawSize", "rawTextBlob"), ((), "")),
}
REQUIRED = {("Query", "project"): {"fullPath"}, ("Repository", "blobs"): {"paths"}}
GITALY = {"tree", "blobs", "lastCommit"}


def complexity(selections: list) -> int:
    return sum(
        1 + (item.name in GITALY) + complexity(item.selections)
        for item in selections
        if isinstance(item, Field)
    )


def raw_text(data: bytes) -> str | None:
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class Execution:
    def __init__(self, forge: FakeForge):
        self.forge = forge
        self.errors: list[dict] = []

    def select(self, type_name: str, value: Any, selections: list, path: list) -> dict:
        out: dict[str, Any] = {}
        for selection in selections:
            child_type = SCHEMA[type_name][selection.name][1]  # validated
            where = [*path, selection.alias]
            result = self.field(type_name, value, selection, where)
            if child_type.startswith("["):
                item_type = child_type.strip("[]")
                out[selection.alias] = [
                    self.select(item_type, item, selection.selections, [*where, index])
                    for index, item in enumerate(result)
                ]
            elif child_type and result is not None:
                out[selection.alias] = self.select(child_type, result, selection.selections, where)
            else:
                out[selection.alias] = result
        return out

    def find(self, full_path: str) -> FakeRepo | None:
        namespace, _, project = full_path.rpartition("/")
        return self.forge.find_repo(namespace, project) if namespace else None

    def field(self, type_name: str, value: Any, selection: Field, path: list) -> Any:
        name, args, forge = selection.name, selection.args, self.forge
        if type_name == "Query" and name == "projects":
            found = (self.find(str(full_path)) for full_path in args.get("fullPaths") or [])
            first = min(max(0, int(args.get("first", PAGE))), PAGE)
            return {"nodes": [repo for repo in found if repo is not None][:first]}
        if type_name == "Query":
            repo = self.find(str(args["fullPath"]))
            if repo is not None and forge.take_graphql_repo_error(repo.full_name):
                self.errors.append({"message": "Internal server error", "path": path})
                return None
            return repo
        if type_name == "Project":
            repo: FakeRepo = value
            if name == "languages":
                return [{"name": k, "share": v} for k, v in language_shares(repo).items()]
            if name == "repository":
                if forge.take_graphql_repo_error(repo.full_name):
                    self.errors.append({"message": "Internal server error", "path": path})
                    return None
                return repo
            return f"gid://gitlab/Project/{repo.id}" if name == "id" else repo.full_name
        if type_name == "Repository":
            repo = value
            ref = args.get("ref") or repo.default_branch
            known = not repo.is_empty and ref in ("HEAD", repo.default_branch, repo.head_commit)
            if name == "tree":
                return (repo, str(args.get("path") or "").strip("/")) if known else None
            if name == "blobs":
                paths = args["paths"] if known else []
                return {"nodes": [(p, repo.blob(p)) for p in paths if repo.blob(p) is not None]}
            return {"rootRef": repo.default_branch, "exists": True, "empty": repo.is_empty}[name]
        if type_name == "Tree":
            repo, directory = value
            if name == "lastCommit":
                return {
                    "sha": repo.head_commit,
                    "id": f"gid://gitlab/CommitPresenter/{repo.head_commit}",
                }
            first = min(max(0, int(args.get("first", PAGE))), PAGE)
            entries = repo.list_dir(directory) or []
            kind = "file" if name == "blobs" else "dir" if name == "trees" else None
            picked = [e for e in entries if e.type == kind][:first]
            return {"nodes": [{"name": e.name, "path": e.path, "type": name[:-1]} for e in picked]}
        if type_name == "RepositoryBlob":
            blob_path, data = value
            return {
                "path": blob_path,
                "name": blob_path.rpartition("/")[2],
                "size": str(len(data)),
                "rawSize": str(len(data)),
                "rawTextBlob": raw_text(data),
            }[name]
        if isinstance(value, dict):
            return value.get(name)
        raise AssertionError(f"unexpected {type_name}.{name}")


def serve(forge: FakeForge, method: str, headers: Any, body: bytes) -> Response:
    """Answer one request to /api/graphql (the server holds its lock)."""
    if method != "POST":
        return json_response({"message": "404 Not Found"}, 404)
    if not (headers.get("PRIVATE-TOKEN") or headers.get("Authorization")):
        return json_response({"message": "401 Unauthorized"}, 401)
    try:
        payload = json.loads(body)
        query = payload["query"] if isinstance(payload, dict) else None
    except (ValueError, KeyError):
        query = None
    if not isinstance(query, str):
        return json_response({"errors": [{"message": "No query string was present"}]}, 200)
    try:
        if len(query) > MAX_QUERY_LENGTH:
            raise QueryError("Query too large")
        selections = Parser(query).document()
        validate("Query", selections, SCHEMA, {}, REQUIRED)
        cost = complexity(selections)
        if cost > MAX_COMPLEXITY:
            raise QueryError(
                f"Query has complexity of {cost}, which exceeds max complexity of {MAX_COMPLEXITY}"
            )
    except QueryError as exc:
        return json_response({"errors": [{"message": str(exc)}]}, 200)
    execution = Execution(forge)
    data = execution.select("Query", None, selections, [])
    answer: dict[str, Any] = {"data": data}
    if execution.errors:
        answer["errors"] = execution.errors
    return json_response(answer, 200)
