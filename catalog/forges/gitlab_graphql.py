"""GitLab's GraphQL API (`<instance>/api/graphql`): what the inspection reads, for many
projects per request.

The REST inspection costs a project about five requests (root listing, languages, default
branch, up to MAX_TREE_DIRECTORIES first-level directory listings, each file read). GraphQL
answers the same for a batch of projects in three queries or a few more:

1. `projects(fullPaths: [...], first: N) { nodes { id repository { rootRef tree { ... } }
   languages { name share } } }`: per project (matched by its id) the default branch and
   the root tree there, as REST's root listing (without a ref) reads it: its
   `lastCommit { sha }`, the head commit, and its `trees`, `blobs` and `submodules` paths;
   the language shares REST's `/languages` gives. One connection: GitLab counts its
   complexity once for all the nodes;
2. for the projects whose manifests are read (the head moved), the first-level directories
   REST would list (directory_may_hold_manifests, sorted, at most MAX_TREE_DIRECTORIES),
   one aliased `tree(path:, ref: <head>)` each (GitLab's tree takes one path), one alias
   per project (`p3: project(fullPath: …)`);
3. the files the inspection reads (publiccode.yml and codemeta.json by their actual names,
   the manifests select_manifests picks) through `repository.blobs(paths:, ref: <head>)`:
   `rawTextBlob` with `rawSize`, one alias per project.

Queries (2) and (3) are spread over as many queries as GitLab's limits (complexity, length)
require.

GitLab's tree entries carry no size (REST's neither): a manifest is read whatever its size
and parse_manifest refuses one over MAX_BYTES, as through REST.

GraphQL requires no token on GitLab, but anonymous queries have a lower complexity limit
and see only public projects: without a token the client stays on REST, as for GitHub.
The token goes in the same PRIVATE-TOKEN header as for REST.

What GraphQL does not give as REST would is read through REST (see catalog.forges.graphql
for the rules shared with GitHub): a project whose alias has an error, a tree that is not
answered, a listing of 100 entries or more (REST reads one page of 100: what it would keep
is not known), a default branch other than the listing's (`rootRef`), a root tree without
`lastCommit`, a blob without `rawTextBlob` (binary), whose UTF-8 length is not its
`rawSize` (GitLab converted it from another encoding, or cut it), or that holds U+FFFD. A
project missing from `projects` (gone, no longer visible, or moved: GitLab does not say
which) is read through REST, by id, whose 404 then stores no root files. A
whole query refused (complexity or size over GitLab's limits, 5xx, malformed) leaves its
batch, or its files, to REST. Rate limits are GitLab's REST ones (429 with Retry-After),
which ForgeHTTP honours.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from catalog.forges.base import (
    MAX_TREE_DIRECTORIES,
    RepoInfo,
    commit_sha1,
    detect_root_files,
    items_may_hold_manifests,
    shallow_blobs,
)
from catalog.forges.graphql import (
    ROOT_FILES,
    BatchPrefetch,
    answer,
    error_paths,
    integer,
    literal,
    literal_list,
)
from catalog.manifests import directory_may_hold_manifests, select_manifests
from core.http import ForgeError, ForgeHTTP, MalformedResponse, RateLimited

logger = logging.getLogger(__name__)

# Projects per batch. Query (1) asks them all through one `projects(fullPaths:, first:)`
# connection, whose complexity GitLab counts once for its nodes (plus 1% per item asked):
# 25 projects cost about the same as one. Queries (2) and (3) alias each project and are
# spread over as many queries as GitLab's limits require (see `queries`).
BATCH_SIZE = 25
# GitLab's limits on one query, by default: a complexity of 250 with a token (each field
# counts 1, a field that calls Gitaly 1 more) and 10,000 characters. The costs below count
# the fields of each part as GitLab would; a batch's parts are spread over as many queries
# as needed to stay within both (query (1) of a batch of 10 is one query).
MAX_COMPLEXITY = 200  # GitLab refuses over 250 with a token: a margin for its own count
MAX_QUERY_LENGTH = 10_000
TREE_COST = 13  # per directory: tree, 3 x (connection nodes path), Gitaly: tree
PROJECT_COST = 2  # project repository
BLOBS_COST = 8  # project repository blobs nodes path rawTextBlob rawSize, Gitaly: blobs
# Entries of a tree listing per connection: REST's root and directory listings read one
# page of 100; a listing that may hold more is read through REST.
PAGE = 100

ENTRIES = " ".join(
    f"{kind}(first: {PAGE}) {{ nodes {{ name path }} }}"
    for kind in ("trees", "blobs", "submodules")
)
LANGUAGES = "languages { name share }"
BLOB = "nodes { path rawTextBlob rawSize }"


def graphql_url(api_url: str) -> str:
    """The GraphQL endpoint of a GitLab REST API root: https://host/api/v4 gives
    https://host/api/graphql, an instance under a path (https://host/gitlab/api/v4)
    https://host/gitlab/api/graphql."""
    api_url = api_url.rstrip("/")
    return api_url.removesuffix("/v4") + "/graphql"


def project_field(alias: str, repo: RepoInfo, selection: str) -> str:
    return f"{alias}: project(fullPath: {literal(repo.full_path)}) {{ {selection} }}"


def head_query(repos: list[RepoInfo]) -> str:
    """Query (1): per project its id, its default branch and the root tree there (REST's
    root listing, without a ref, reads the same) with its last commit, languages."""
    return (
        f"query {{ projects(fullPaths: {literal_list(repo.full_path for repo in repos)}, "
        f"first: {len(repos)}) {{ nodes {{ id repository {{ rootRef tree {{ lastCommit "
        f"{{ sha }} {ENTRIES} }} }} {LANGUAGES} }} }} }}"
    )


def trees_part(i: int, repo: RepoInfo, commit: str, directories: list[str]) -> str:
    """Query (2) of one project: the listings of `directories` at `commit`."""
    trees = " ".join(
        f"d{j}: tree(path: {literal(directory)}, ref: {literal(commit)}) {{ {ENTRIES} }}"
        for j, directory in enumerate(directories)
    )
    return project_field(f"p{i}", repo, f"repository {{ {trees} }}")


def blobs_part(i: int, repo: RepoInfo, commit: str, paths: list[str]) -> str:
    """Query (3) of one project: the blobs at `paths` at `commit`."""
    return project_field(
        f"p{i}",
        repo,
        f"repository {{ blobs(paths: {literal_list(paths)}, ref: {literal(commit)}) "
        f"{{ {BLOB} }} }}",
    )


def queries(parts: list[tuple[str, int]]) -> list[str]:
    """The (part, complexity) fields in as few queries as GitLab's limits allow: at most
    MAX_COMPLEXITY and MAX_QUERY_LENGTH each (a part alone over them is sent alone; GitLab
    refuses it and REST reads it)."""
    found, fields, complexity, length = [], [], 0, 0
    for part, cost in parts:
        if fields and (complexity + cost > MAX_COMPLEXITY or length + len(part) > MAX_QUERY_LENGTH):
            found.append(fields)
            fields, complexity, length = [], 0, 0
        fields.append(part)
        complexity += cost
        length += len(part) + 1
    if fields:
        found.append(fields)
    return ["query { " + " ".join(fields) + " }" for fields in found]


@dataclass
class Prefetched:
    """What GraphQL said of one project; `tree` None: ask REST for the directories."""

    head: str = ""
    root_items: list[dict] = field(default_factory=list)
    tree: dict[str, int | None] | None = None
    languages: dict = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def root_names(self) -> list[str]:
        return [item["name"] for item in self.root_items]


def parse_listing(node) -> list[dict] | None:
    """A Tree's entries as REST's tree listing gives them (`{name, path, type}`), or None
    when it may hold more than one REST page (or is not what was asked)."""
    items = []
    for kind, rest_type in (("trees", "tree"), ("blobs", "blob"), ("submodules", "commit")):
        nodes = node[kind]["nodes"]
        items += [
            {"name": str(n["name"]), "path": str(n["path"]), "type": rest_type} for n in nodes
        ]
    return items if len(items) < PAGE else None


def parse_head(node, repo: RepoInfo) -> Prefetched | None:
    """A project's answer to query (1), or None when REST should be asked instead."""
    try:
        if node["repository"]["rootRef"] != repo.default_branch:
            return None  # the branch moved since the listing: REST follows the listing
        tree = node["repository"]["tree"]
        head = commit_sha1((tree["lastCommit"] or {}).get("sha"))
        items = parse_listing(tree)
        if not head or items is None:
            return None
        languages = {}
        for language in node["languages"]:
            share = language["share"]
            if not isinstance(share, int | float) or isinstance(share, bool):
                return None
            languages[str(language["name"])] = share
    except (KeyError, TypeError, AttributeError):
        return None
    return Prefetched(head=head, root_items=items, languages=languages)


def directories_of(items: list[dict]) -> list[str]:
    """The first-level directories GitLabClient.tree_paths lists, in its order."""
    return sorted(
        item["path"]
        for item in items
        if item["type"] == "tree" and directory_may_hold_manifests(item["path"])
    )[:MAX_TREE_DIRECTORIES]


class GitLabGraphQLPrefetch(BatchPrefetch):
    label = "GitLab GraphQL"

    def __init__(self, http: ForgeHTTP, api_url: str, *, batch_size: int = BATCH_SIZE):
        super().__init__(http, graphql_url(api_url), batch_size=batch_size)

    def eligible(self, repo: RepoInfo) -> bool:
        # Without a default branch REST's answers are empty already.
        return super().eligible(repo) and bool(repo.default_branch and repo.full_path)

    def query(self, parts: list[tuple[str, int]], what: str) -> tuple[dict, set[str]]:
        """POST the parts in as few queries as GitLab's limits allow: (data of all the
        aliases that came, aliases with an error). A query that fails leaves its aliases
        out (read through REST); when it is the only one, the error propagates."""
        texts = queries(parts)
        data, failed = {}, set()
        for text in texts:
            try:
                body = self.http.post(self.url, json_body={"query": text}).json()
                found, errors = answer(self.url, body)
            except RateLimited:
                raise
            except ForgeError as exc:
                if len(texts) == 1:
                    raise
                logger.warning("%s %s failed, reading them through REST: %s", self.label, what, exc)
                continue
            data.update(found)
            failed.update(path[0] for path in error_paths(errors))
        return data, failed

    def fetch(self, repos: list[RepoInfo]) -> dict[str, Prefetched]:
        body = self.http.post(self.url, json_body={"query": head_query(repos)}).json()
        data, errors = answer(self.url, body)
        try:
            nodes = data["projects"]["nodes"]
            by_id = {str(node["id"]).rpartition("/")[2]: n for n, node in enumerate(nodes)}
        except (KeyError, TypeError, AttributeError):
            raise MalformedResponse(f"{self.url}: unexpected projects") from None
        # An error names its node: ["projects", "nodes", 3, ...].
        failed = {path[2] for path in error_paths(errors) if len(path) > 2}
        found: dict[str, Prefetched] = {}
        for repo in repos:
            number = by_id.get(repo.remote_id)
            # Missing (gone, no longer visible, or moved since the listing: GitLab does not
            # say which): REST, by id, says what it is (a 404 stores no root files).
            if number is not None and str(number) not in failed:
                prefetched = parse_head(nodes[number], repo)
                if prefetched is not None:
                    found[repo.remote_id] = prefetched
        self.fetch_trees(repos, found)
        self.fetch_blobs(repos, found)
        return found

    def reads_manifests(self, repo: RepoInfo, prefetched: Prefetched) -> bool:
        return self.manifests_at.get(repo.remote_id) != prefetched.head and (
            items_may_hold_manifests(prefetched.root_items)
        )

    def fetch_trees(self, repos: list[RepoInfo], found: dict[str, Prefetched]) -> None:
        """Query (2), for the projects whose manifests are read; a project whose listings
        did not all come keeps `tree` None (REST lists its directories)."""
        wanted = []
        for repo in repos:
            prefetched = found.get(repo.remote_id)
            if prefetched is None:
                continue
            directories = directories_of(prefetched.root_items)
            if not directories:
                prefetched.tree = shallow_blobs(prefetched.root_items, repo.full_path)
            elif self.reads_manifests(repo, prefetched):
                wanted.append((repo, prefetched.head, directories))
        if not wanted:
            return
        try:
            data, failed = self.query(
                [
                    (trees_part(i, *item), PROJECT_COST + TREE_COST * len(item[2]))
                    for i, item in enumerate(wanted)
                ],
                "trees",
            )
        except RateLimited:
            raise
        except ForgeError as exc:
            logger.warning("%s trees failed, listing them through REST: %s", self.label, exc)
            return
        for i, (repo, _, directories) in enumerate(wanted):
            prefetched = found[repo.remote_id]
            try:
                if f"p{i}" in failed:
                    continue
                repository = data[f"p{i}"]["repository"]
                tree = shallow_blobs(prefetched.root_items, repo.full_path)
                for j in range(len(directories)):
                    items = parse_listing(repository[f"d{j}"])
                    if items is None:
                        raise TypeError("a listing REST would page")
                    tree.update(shallow_blobs(items, repo.full_path))
            except (KeyError, TypeError, AttributeError):
                continue
            prefetched.tree = tree

    def fetch_blobs(self, repos: list[RepoInfo], found: dict[str, Prefetched]) -> None:
        """Query (3); a failed one leaves the files to REST."""
        wanted = []
        for repo in repos:
            prefetched = found.get(repo.remote_id)
            if prefetched is None:
                continue
            _, actual = detect_root_files(prefetched.root_names)
            paths = [actual[name] for name in ROOT_FILES if name in actual]
            if prefetched.tree is not None and self.reads_manifests(repo, prefetched):
                paths += [path for path in select_manifests(prefetched.tree) if path not in paths]
            if paths:
                wanted.append((repo, prefetched.head, paths))
        if not wanted:
            return
        try:
            data, failed = self.query(
                [(blobs_part(i, *item), BLOBS_COST) for i, item in enumerate(wanted)], "files"
            )
        except RateLimited:
            raise
        except ForgeError as exc:
            logger.warning("%s files failed, reading them through REST: %s", self.label, exc)
            return
        for i, (repo, _, _) in enumerate(wanted):
            try:
                if f"p{i}" in failed:
                    continue
                nodes = data[f"p{i}"]["repository"]["blobs"]["nodes"]
            except (KeyError, TypeError):
                continue
            files = found[repo.remote_id].files
            for blob in nodes if isinstance(nodes, list) else []:
                if not isinstance(blob, dict):
                    continue
                path, text = blob.get("path"), blob.get("rawTextBlob")
                size = integer(blob.get("rawSize"))
                if not isinstance(path, str) or not isinstance(text, str) or "\ufffd" in text:
                    continue
                content = text.encode()
                # GitLab gives text converted to UTF-8 (or cut): only the bytes as they are.
                if size == len(content):
                    files[path] = content
