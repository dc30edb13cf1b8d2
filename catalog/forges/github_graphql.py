"""GitHub's GraphQL API: what the inspection reads, for many repositories per request.

The REST inspection costs about five requests per repository (root listing, languages,
default branch, tree, each file read), against a budget of 5,000 an hour. GraphQL answers
the same for a batch of repositories in two queries: (1) per repository its default
branch's head commit with the root tree and one level of subtrees (names, types, modes,
paths, blob sizes) and its languages; (2) the blobs of the files the inspection will read
(publiccode.yml and codemeta.json by their actual names, the manifests select_manifests
picks, at most MAX_BYTES each) at that commit. GraphQL requires a token: without one the
client stays on REST.

What GraphQL does not give as REST would is not kept, and the client then asks REST as
without a token: a repository whose alias failed (an error other than NOT_FOUND, a default
branch other than the listing's, an unexpected shape), a binary or truncated blob (no
`text`), a symbolic link (REST serves its target's content), files past the byte budget of
a query, a whole batch whose query failed (5xx after retries, malformed JSON, no `data`).
A text holding U+FFFD (which may stand for bytes that were not UTF-8) is read through
REST too. A NOT_FOUND repository is gone, as a REST 404 says. Rate limits (the `rateLimit` the
queries ask for, or a RATE_LIMITED error) wait for the reset within the harvest's bound,
else raise RateLimited as REST does.

Batches are fetched lazily, when the inspection reaches their first repository, and only
one batch is held at a time: memory stays bounded whatever the page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.utils.dateparse import parse_datetime

from catalog.forges.base import (
    RepoInfo,
    commit_sha1,
    detect_root_files,
    items_may_hold_manifests,
)
from catalog.forges.graphql import ROOT_FILES, BatchPrefetch, answer, integer, literal
from catalog.manifests import MAX_BYTES, select_manifests
from core.http import ForgeError, ForgeHTTP, MalformedResponse, RateLimited, reset_epoch

logger = logging.getLogger(__name__)

# Repositories per query: GitHub stops a query after 10 s; the one-level trees of 25
# repositories stay well within it, and 25 per batch is 0.08 query per repository.
BATCH_SIZE = 25
# Bytes of blobs asked in one query; a file past it is read through REST.
MAX_QUERY_BYTES = 4 * 1024 * 1024
SYMLINK_MODE = 0o120000

SUBTREE_ENTRY = "name type mode path object { ... on Blob { byteSize } }"
ROOT_ENTRY = (
    "name type mode path object { ... on Blob { byteSize } "
    "... on Tree { entries { " + SUBTREE_ENTRY + " } } }"
)
HEAD = "defaultBranchRef { name target { ... on Commit { oid tree { entries { " + ROOT_ENTRY
HEAD += " } } } } }"
LANGUAGES = "languages(first: 100) { totalCount edges { size node { name } } }"
BLOB = "... on Blob { text isBinary isTruncated byteSize }"
RATE_LIMIT = "rateLimit { cost remaining resetAt }"


def graphql_url(api_url: str) -> str:
    """The GraphQL endpoint of a GitHub REST API root: api.github.com/graphql, and for
    GitHub Enterprise (https://host/api/v3) https://host/api/graphql."""
    api_url = api_url.rstrip("/")
    if api_url.endswith("/api/v3"):
        return api_url.removesuffix("/v3") + "/graphql"
    return api_url + "/graphql"


def repository_field(alias: str, repo: RepoInfo, selection: str) -> str:
    owner, _, name = repo.api_ref.partition("/")
    return f"{alias}: repository(owner: {literal(owner)}, name: {literal(name)}) {{ {selection} }}"


def head_query(repos: list[RepoInfo]) -> str:
    """Query (1): head commit, root tree with one level of subtrees, languages."""
    fields = [
        repository_field(f"r{i}", repo, f"{HEAD} {LANGUAGES}") for i, repo in enumerate(repos)
    ]
    return "query { " + RATE_LIMIT + " " + " ".join(fields) + " }"


def blobs_query(wanted: list[tuple[RepoInfo, str, list[str]]]) -> str:
    """Query (2): for each (repository, commit, paths), the blobs at that commit."""
    fields = []
    for i, (repo, commit, paths) in enumerate(wanted):
        blobs = " ".join(
            f"f{j}: object(expression: {literal(f'{commit}:{path}')}) {{ {BLOB} }}"
            for j, path in enumerate(paths)
        )
        fields.append(repository_field(f"r{i}", repo, blobs))
    return "query { " + RATE_LIMIT + " " + " ".join(fields) + " }"


@dataclass
class Prefetched:
    """What GraphQL said of one repository; `languages` None: ask REST."""

    gone: bool = False
    oid: str = ""  # the head commit as GitHub wrote it
    root_items: list[dict] = field(default_factory=list)
    tree: dict[str, int | None] = field(default_factory=dict)
    modes: dict[str, int] = field(default_factory=dict)
    languages: dict | None = None
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def head(self) -> str:
        return commit_sha1(self.oid)

    @property
    def root_names(self) -> list[str]:
        return [item["name"] for item in self.root_items]


def parse_head(node, repo: RepoInfo) -> Prefetched | None:
    """A repository's answer to query (1), or None when REST should be asked instead."""
    try:
        ref = node["defaultBranchRef"]
        languages = node["languages"]
        edges = languages["edges"]
        found = {str(edge["node"]["name"]): integer(edge["size"]) or 0 for edge in edges}
        prefetched = Prefetched(
            # Beyond the first 100 (never seen in practice), REST gives them all.
            languages=dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))
            if integer(languages.get("totalCount")) == len(edges)
            else None
        )
        if ref is None:  # no branch: an empty repository, as a REST 404 on the root says
            return prefetched
        if ref["name"] != repo.default_branch:
            return None  # the branch moved since the listing: REST follows the listing
        target = ref["target"]
        prefetched.oid = target["oid"]
        if not isinstance(prefetched.oid, str):
            return None
        for entry in target["tree"]["entries"]:
            prefetched.root_items.append({"name": str(entry["name"]), "type": entry["type"]})
            children = [entry]
            if entry["type"] == "tree" and entry["object"] is not None:
                children = [entry, *entry["object"]["entries"]]
            for child in children:
                if child["type"] == "blob":
                    path = str(child["path"])
                    prefetched.tree[path] = integer((child["object"] or {}).get("byteSize"))
                    prefetched.modes[path] = integer(child["mode"]) or 0
    except (KeyError, TypeError, AttributeError):
        return None
    return prefetched


def wanted_paths(prefetched: Prefetched, repo: RepoInfo, manifests_at: dict[str, str]) -> list[str]:
    """The files the inspection of `repo` will read, as _inspect and read_manifests pick
    them: publiccode.yml and codemeta.json by their actual name, then, when the head moved
    since they were read, the manifests select_manifests picks, not over MAX_BYTES. A
    symbolic link is left to REST (which serves its target)."""
    _, actual = detect_root_files(prefetched.root_names)
    paths = [actual[name] for name in ROOT_FILES if name in actual]
    head = prefetched.head
    stored = manifests_at.get(repo.remote_id)
    if head and stored != head and items_may_hold_manifests(prefetched.root_items):
        for path in select_manifests(prefetched.tree):
            size = prefetched.tree[path]
            if size is not None and size <= MAX_BYTES and path not in paths:
                paths.append(path)
    return [
        path
        for path in paths
        if path in prefetched.tree and prefetched.modes.get(path) != SYMLINK_MODE
    ]


class GraphQLPrefetch(BatchPrefetch):
    """The batches of one listing page and the answers of the batch being inspected."""

    label = "GitHub GraphQL"

    def __init__(self, http: ForgeHTTP, api_url: str, *, batch_size: int = BATCH_SIZE):
        super().__init__(http, graphql_url(api_url), batch_size=batch_size)
        # The budget as the last answer gave it (GraphQL's, apart from REST's).
        self.remaining: int | None = None
        self.cost = 1
        self.reset_at: float | None = None

    def eligible(self, repo: RepoInfo) -> bool:
        return super().eligible(repo) and "/" in repo.api_ref

    def fetch(self, repos: list[RepoInfo]) -> dict[str, Prefetched]:
        data, errors = self.query(head_query(repos))
        failed, gone = self.failed_aliases(errors)
        found: dict[str, Prefetched] = {}
        for i, repo in enumerate(repos):
            alias = f"r{i}"
            if alias in gone:
                found[repo.remote_id] = Prefetched(gone=True)
            elif alias not in failed and data.get(alias) is not None:
                prefetched = parse_head(data[alias], repo)
                if prefetched is not None:
                    found[repo.remote_id] = prefetched
        wanted, budget = [], MAX_QUERY_BYTES
        for repo in repos:
            prefetched = found.get(repo.remote_id)
            if prefetched is None or prefetched.gone:
                continue
            paths = []
            for path in wanted_paths(prefetched, repo, self.manifests_at):
                size = prefetched.tree[path] or 0
                if size <= budget:
                    budget -= size
                    paths.append(path)
            if paths:
                wanted.append((repo, prefetched.oid, paths))
        if wanted:
            self.fetch_blobs(wanted, found)
        return found

    def fetch_blobs(self, wanted, found: dict[str, Prefetched]) -> None:
        """Query (2); a failed one leaves the files to REST."""
        try:
            data, errors = self.query(blobs_query(wanted))
        except RateLimited:
            raise
        except ForgeError as exc:
            logger.warning("GitHub GraphQL files failed, reading them through REST: %s", exc)
            return
        failed, gone = self.failed_aliases(errors)
        for i, (repo, _, paths) in enumerate(wanted):
            node = data.get(f"r{i}")
            if not isinstance(node, dict) or f"r{i}" in failed | gone:
                continue
            for j, path in enumerate(paths):
                blob = node.get(f"f{j}")
                if f"r{i}.f{j}" in failed or not isinstance(blob, dict):
                    continue
                text = blob.get("text")
                # A replacement character may stand for bytes that were not UTF-8: REST
                # gives the bytes (a manifest is then read as Latin-1).
                if isinstance(text, str) and "\ufffd" not in text and not blob.get("isTruncated"):
                    found[repo.remote_id].files[path] = text.encode()

    @staticmethod
    def failed_aliases(errors: list) -> tuple[set[str], set[str]]:
        """(failed, gone): the aliases ("r3", or "r3.f1" for a file) the errors name;
        gone: a repository NOT_FOUND."""
        failed, gone = set(), set()
        for error in errors:
            path = error.get("path") if isinstance(error, dict) else None
            if not isinstance(path, list) or not path or not isinstance(path[0], str):
                continue
            if error.get("type") == "NOT_FOUND" and len(path) == 1:
                gone.add(path[0])
            elif len(path) >= 2 and isinstance(path[1], str) and path[1].startswith("f"):
                failed.add(f"{path[0]}.{path[1]}")
            else:
                failed.add(path[0])
        return failed, gone

    def query(self, query: str) -> tuple[dict, list]:
        """POST one query: (data, errors). Waits for the budget's reset when the last answer
        left too little, within the harvest's bound (else RateLimited); MalformedResponse
        for an answer without data or with an error that names no alias."""
        for attempt in range(2):
            if self.remaining is not None and self.reset_at and self.remaining < self.cost:
                self.remaining = None
                self.http.wait_until(self.reset_at, self.url, "GitHub GraphQL budget spent")
            response = self.http.post(self.url, json_body={"query": query})
            body = response.json()
            if not isinstance(body, dict):
                raise MalformedResponse(f"{self.url}: the answer is not an object")
            errors = body.get("errors") or []
            if isinstance(errors, list) and any(
                isinstance(error, dict) and error.get("type") == "RATE_LIMITED" for error in errors
            ):
                reset_at = reset_epoch(response.headers.get("X-RateLimit-Reset"))
                if reset_at is None:
                    reset_at = self.http.clock() + 60
                if attempt:
                    raise RateLimited(f"{self.url}: GitHub GraphQL rate limited", reset_at=reset_at)
                self.http.wait_until(reset_at, self.url, "GitHub GraphQL rate limited")
                continue
            data, errors = answer(self.url, body)
            self.note_budget(data.get("rateLimit"))
            return data, errors
        raise AssertionError("unreachable")

    def note_budget(self, rate) -> None:
        if not isinstance(rate, dict):
            return
        remaining, cost = integer(rate.get("remaining")), integer(rate.get("cost"))
        try:
            reset = parse_datetime(str(rate.get("resetAt") or ""))
        except ValueError:
            reset = None
        if remaining is not None and reset is not None:
            self.remaining, self.reset_at = remaining, reset.timestamp()
            self.cost = max(cost or 1, 1)
