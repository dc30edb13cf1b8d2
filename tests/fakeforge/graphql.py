"""GitHub's GraphQL endpoint (``POST /graphql``), for the fields the harvest asks.

Not a GraphQL engine: a strict parser of one anonymous ``query { ... }`` document (fields
with aliases and literal arguments, inline fragments ``... on Type``; no variables,
directives, named fragments or mutations), checked against the small schema below (an
unknown field, type or argument is a whole-query error, as GitHub's validation gives), then
answered from the forge's data:

    Query       repository(owner:, name:) -> Repository (null + NOT_FOUND error when
                unknown), rateLimit -> RateLimit {cost remaining resetAt limit used}
    Repository  name nameWithOwner, defaultBranchRef -> Ref (null when empty),
                languages(first:) -> {totalCount edges {size node {name}}} (largest first),
                object(expression: "<rev>:<path>") -> Commit | Tree | Blob | null, where rev
                is HEAD, the default branch or the head commit ("<rev>" alone: the Commit)
    Ref         name, target -> Commit {oid tree}
    Tree        oid, entries -> [TreeEntry {name type mode path object}] (type blob/tree,
                mode 33188/16384; object a Blob or a Tree)
    Blob        oid byteSize isBinary isTruncated, text (null when the bytes are not UTF-8
                or hold a NUL: "binary")

Every query costs one point of ``forge.graphql_budget`` (default 5,000 an hour, apart from
the REST budget); spent (``graphql_rate_limit(remaining, reset_in)``), the answer is a 200
with a RATE_LIMITED error and X-RateLimit-Remaining: 0. Without an Authorization header:
401. ``graphql_repo_error(full_name, type=..., times=1)``: that repository's alias answers
null with an error of that type (a failure of one repository in a batch).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .core import blob_sha, json_response, sha1

if TYPE_CHECKING:
    from .core import FakeRepo, Response
    from .server import FakeForge

DOCS = "https://docs.github.com/graphql"

# type -> field -> (allowed arguments, type of the value: a scalar "", an object type, or
# "[Type]" for a list). GitObject is the interface of Commit, Tree and Blob.
SCHEMA: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "Query": {
        "repository": (("owner", "name"), "Repository"),
        "rateLimit": ((), "RateLimit"),
    },
    "RateLimit": dict.fromkeys(("cost", "remaining", "resetAt", "limit", "used"), ((), "")),
    "Repository": {
        "name": ((), ""),
        "nameWithOwner": ((), ""),
        "defaultBranchRef": ((), "Ref"),
        "languages": (("first",), "LanguageConnection"),
        "object": (("expression",), "GitObject"),
    },
    "Ref": {"name": ((), ""), "target": ((), "GitObject")},
    "LanguageConnection": {"totalCount": ((), ""), "edges": ((), "[LanguageEdge]")},
    "LanguageEdge": {"size": ((), ""), "node": ((), "Language")},
    "Language": {"name": ((), "")},
    "GitObject": {"oid": ((), "")},
    "Commit": {"oid": ((), ""), "tree": ((), "Tree")},
    "Tree": {"oid": ((), ""), "entries": ((), "[TreeEntry]")},
    "TreeEntry": dict.fromkeys(("name", "type", "mode", "path"), ((), ""))
    | {"object": ((), "GitObject")},
    "Blob": dict.fromkeys(("oid", "byteSize", "text", "isBinary", "isTruncated"), ((), "")),
}
IMPLEMENTS = {"Commit": "GitObject", "Tree": "GitObject", "Blob": "GitObject"}
REQUIRED = {("Query", "repository"): {"owner", "name"}, ("Repository", "object"): {"expression"}}


class QueryError(Exception):
    """The whole query is refused (parse or validation): ``{"errors": [...]}``, no data."""


# --- parser -------------------------------------------------------------------------------

TOKEN = re.compile(
    r"""(?P<skip>[\s,]+|\#[^\n\r]*)
    |(?P<spread>\.\.\.)
    |(?P<punct>[{}():\[\]])
    |(?P<name>[_A-Za-z][_0-9A-Za-z]*)
    |(?P<string>"(?:[^"\\\n\r]|\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4}))*")
    |(?P<int>-?(?:0|[1-9][0-9]*))""",
    re.X,
)


@dataclass
class Field:
    alias: str
    name: str
    args: dict[str, Any]
    selections: list


@dataclass
class Fragment:
    on: str
    selections: list


def tokenize(query: str) -> list[tuple[str, Any]]:
    tokens, position = [], 0
    while position < len(query):
        match = TOKEN.match(query, position)
        if match is None:
            raise QueryError(f"Parse error on {query[position : position + 10]!r}")
        position = match.end()
        kind = match.lastgroup
        if kind == "skip":
            continue
        value = match.group()
        if kind == "string":
            value = json.loads(value)  # GraphQL's escapes are JSON's
        elif kind == "int":
            value = int(value)
        tokens.append((kind, value))
    return tokens


class Parser:
    def __init__(self, query: str):
        self.tokens = tokenize(query)
        self.position = 0

    def peek(self) -> tuple[str, Any]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def take(self, kind: str, value: Any = None) -> Any:
        token = self.peek()
        if token[0] != kind or (value is not None and token[1] != value):
            raise QueryError(f"Parse error on {token[1]!r}: expected {value or kind}")
        self.position += 1
        return token[1]

    def document(self) -> list:
        if self.peek() == ("name", "query"):
            self.take("name")
            if self.peek()[0] == "name":
                self.take("name")
        selections = self.selection_set()
        self.take("end")
        return selections

    def selection_set(self) -> list:
        self.take("punct", "{")
        selections = []
        while self.peek() != ("punct", "}"):
            selections.append(self.selection())
        self.take("punct", "}")
        if not selections:
            raise QueryError("Parse error: empty selection set")
        return selections

    def selection(self):
        if self.peek()[0] == "spread":
            self.take("spread")
            self.take("name", "on")
            return Fragment(self.take("name"), self.selection_set())
        alias = name = self.take("name")
        if self.peek() == ("punct", ":"):
            self.take("punct")
            name = self.take("name")
        args = {}
        if self.peek() == ("punct", "("):
            self.take("punct")
            while self.peek() != ("punct", ")"):
                arg = self.take("name")
                self.take("punct", ":")
                args[arg] = self.value()
            self.take("punct", ")")
        selections = self.selection_set() if self.peek() == ("punct", "{") else []
        return Field(alias, name, args, selections)

    def value(self) -> Any:
        """A literal string, int, boolean, or (GitLab's ``paths: [...]``) list of strings."""
        kind, value = self.peek()
        if (kind, value) == ("punct", "["):
            self.take("punct")
            items = []
            while self.peek() != ("punct", "]"):
                items.append(self.take("string"))
            self.take("punct", "]")
            return items
        if kind == "name" and value in ("true", "false"):
            self.position += 1
            return value == "true"
        if kind not in ("string", "int"):
            raise QueryError(f"Parse error on {value!r}: literal strings and ints only")
        self.position += 1
        return value


def validate(
    type_name: str,
    selections: list,
    schema: dict | None = None,
    implements: dict | None = None,
    required: dict | None = None,
) -> None:
    """Every field known on its type, with known and required arguments, objects selected
    into and scalars not; fragments on a type the place allows (GitHub's schema unless
    another is given)."""
    schema = schema or SCHEMA
    implements = IMPLEMENTS if implements is None else implements
    required = REQUIRED if required is None else required
    aliases = set()
    for selection in selections:
        if isinstance(selection, Fragment):
            if selection.on not in schema or selection.on not in (
                type_name,
                *[t for t, i in implements.items() if i == type_name],
            ):
                raise QueryError(f"Fragment on {selection.on} can't be spread inside {type_name}")
            validate(selection.on, selection.selections, schema, implements, required)
            continue
        known = schema[type_name].get(selection.name)
        if known is None:
            raise QueryError(f"Field '{selection.name}' doesn't exist on type '{type_name}'")
        allowed, value_type = known
        if set(selection.args) - set(allowed) or not required.get(
            (type_name, selection.name), set()
        ) <= set(selection.args):
            raise QueryError(f"Field '{selection.name}' has wrong arguments")
        if bool(value_type) != bool(selection.selections):
            raise QueryError(f"Field '{selection.name}' selections do not match its type")
        if selection.alias in aliases:
            raise QueryError(f"Field '{selection.alias}' is selected twice")
        aliases.add(selection.alias)
        if value_type:
            validate(value_type.strip("[]"), selection.selections, schema, implements, required)


# --- execution ----------------------------------------------------------------------------


@dataclass
class Git:
    """A git object of a fake repository: a Commit, a Tree (``path`` a directory, "" the
    root) or a Blob (``data``)."""

    kind: str
    repo: FakeRepo
    path: str = ""
    data: bytes | None = None


def _rev_ok(repo: FakeRepo, rev: str) -> bool:
    return not repo.is_empty and rev in ("HEAD", repo.default_branch, repo.head_commit)


def resolve_object(repo: FakeRepo, expression: str) -> Git | None:
    rev, colon, path = expression.partition(":")
    if not _rev_ok(repo, rev):
        return None
    if not colon:
        return Git("Commit", repo)
    path = path.strip("/")
    data = repo.blob(path) if path else None
    if data is not None:
        return Git("Blob", repo, path, data)
    if repo.list_dir(path) is not None:
        return Git("Tree", repo, path)
    return None


def blob_text(data: bytes) -> str | None:
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class Execution:
    def __init__(self, forge: FakeForge, cost: int):
        self.forge = forge
        self.cost = cost
        self.errors: list[dict] = []

    def select(self, type_name: str, value: Any, selections: list, path: list) -> dict:
        out: dict[str, Any] = {}
        for selection in selections:
            if isinstance(selection, Fragment):
                if selection.on == type_name:
                    out.update(self.select(type_name, value, selection.selections, path))
                continue
            child_type = SCHEMA[type_name][selection.name][1]  # validated
            result = self.field(type_name, value, selection, [*path, selection.alias])
            if child_type.startswith("["):
                item_type = child_type.strip("[]")
                out[selection.alias] = [
                    self.select(self.runtime(item_type, item), item, selection.selections, path)
                    for item in result
                ]
            elif child_type and result is not None:
                out[selection.alias] = self.select(
                    self.runtime(child_type, result),
                    result,
                    selection.selections,
                    [*path, selection.alias],
                )
            else:
                out[selection.alias] = result
        return out

    @staticmethod
    def runtime(type_name: str, value: Any) -> str:
        return value.kind if isinstance(value, Git) else type_name

    def field(self, type_name: str, value: Any, selection: Field, path: list) -> Any:
        name, args = selection.name, selection.args
        forge = self.forge
        if type_name == "Query" and name == "repository":
            repo = forge.find_repo(str(args["owner"]), str(args["name"]))
            injected = repo and forge.take_graphql_repo_error(repo.full_name)
            if injected:
                self.errors.append({"type": injected, "path": path, "message": injected})
                return None
            if repo is None:
                self.errors.append(
                    {
                        "type": "NOT_FOUND",
                        "path": path,
                        "message": "Could not resolve to a Repository with the name "
                        f"'{args['owner']}/{args['name']}'.",
                    }
                )
            return repo
        if type_name == "Query":  # rateLimit
            return {"_": None}
        if type_name == "RateLimit":
            reset = datetime.fromtimestamp(math.ceil(forge.graphql_reset_at), UTC)
            return {
                "cost": self.cost,
                "remaining": forge.graphql_remaining,
                "resetAt": reset.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "limit": forge.graphql_budget,
                "used": max(0, forge.graphql_budget - forge.graphql_remaining),
            }[name]
        if type_name == "Repository":
            repo = value
            if name == "name":
                return repo.name
            if name == "nameWithOwner":
                return repo.full_name
            if name == "defaultBranchRef":
                return None if repo.is_empty else ("Ref", repo)
            if name == "languages":
                first = max(0, int(args.get("first", 0)))
                stats = list(repo.language_bytes().items())
                return {"totalCount": len(stats), "edges": stats[:first]}
            return resolve_object(repo, str(args["expression"]))
        if type_name == "Ref":
            repo = value[1]
            return repo.default_branch if name == "name" else Git("Commit", repo)
        if type_name == "LanguageConnection":
            return value[name]
        if type_name == "LanguageEdge":
            return value[1] if name == "size" else {"name": value[0]}
        if type_name == "Language":
            return value["name"]
        if type_name == "TreeEntry":
            entry, repo = value
            blob = entry.type == "file"
            return {
                "name": entry.name,
                "type": "blob" if blob else "tree",
                "mode": 33188 if blob else 16384,
                "path": entry.path,
                "object": Git("Blob", repo, entry.path, entry.data)
                if blob
                else Git("Tree", repo, entry.path),
            }[name]
        return self.git_field(value, name)

    @staticmethod
    def git_field(git: Git, name: str) -> Any:
        repo = git.repo
        if git.kind == "Commit":
            if name == "oid":
                return repo.head_commit
            return Git("Tree", repo, "")
        if git.kind == "Tree":
            if name == "oid":
                return sha1(f"tree {repo.id} {git.path}".encode())
            return [(entry, repo) for entry in repo.list_dir(git.path) or []]
        data = git.data or b""
        text = blob_text(data)
        return {
            "oid": blob_sha(data),
            "byteSize": len(data),
            "text": text,
            "isBinary": text is None,
            "isTruncated": False,
        }[name]


def serve(forge: FakeForge, method: str, headers: Any, body: bytes) -> Response:
    """Answer one request to /graphql (the server holds its lock)."""
    if method != "POST":
        return json_response({"message": "Not Found", "documentation_url": DOCS}, 404)
    if not (headers.get("Authorization") or "").lower().startswith(("bearer ", "token ")):
        message = "This endpoint requires you to be authenticated."
        return json_response({"message": message, "documentation_url": DOCS}, 401)
    forge.refresh_graphql_window()
    rate = {
        "X-RateLimit-Limit": str(forge.graphql_budget),
        "X-RateLimit-Reset": str(math.ceil(forge.graphql_reset_at)),
        "X-RateLimit-Resource": "graphql",
    }
    if forge.graphql_remaining <= 0:
        rate["X-RateLimit-Remaining"] = "0"
        error = {"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}
        return json_response({"errors": [error]}, 200, rate)
    try:
        payload = json.loads(body)
        query = payload["query"] if isinstance(payload, dict) else None
    except (ValueError, KeyError):
        query = None
    if not isinstance(query, str):
        return json_response({"message": "Problems parsing JSON", "documentation_url": DOCS}, 400)
    forge.graphql_remaining -= 1
    rate["X-RateLimit-Remaining"] = str(forge.graphql_remaining)
    try:
        selections = Parser(query).document()
        validate("Query", selections)
    except QueryError as exc:
        return json_response({"errors": [{"message": str(exc)}]}, 200, rate)
    execution = Execution(forge, cost=1)
    data = execution.select("Query", None, selections, [])
    answer: dict[str, Any] = {"data": data}
    if execution.errors:
        answer["errors"] = execution.errors
    return json_response(answer, 200, rate)
