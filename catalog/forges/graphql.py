"""What the GraphQL prefetchers of GitHub and GitLab share: the batches of a listing page
fetched lazily, one at a time (memory stays bounded whatever the page), string literals
for hostile names and paths, and the fallback rules.

The fallback rules, the same for every forge: what GraphQL does not give as REST would is
not kept, and the client asks REST as without a token. A whole query that fails (5xx after
retries, malformed JSON, no `data`, an error that names no alias: a parse, complexity or
size limit) leaves its batch to REST; an error that names one alias leaves that repository
(or that file) to REST; RateLimited propagates as from REST.
"""

from __future__ import annotations

import json
import logging

from catalog.forges.base import RepoInfo
from core.http import ForgeError, ForgeHTTP, MalformedResponse, RateLimited

logger = logging.getLogger(__name__)


def literal(value: str) -> str:
    """A GraphQL string literal of `value` (names and paths are hostile input): JSON's
    escapes are GraphQL's (quote, backslash, control characters, \\uXXXX for the rest)."""
    return json.dumps(value, ensure_ascii=True)


def literal_list(values) -> str:
    """A GraphQL list literal of strings."""
    return "[" + ", ".join(literal(value) for value in values) + "]"


# The metadata files the inspection reads at the root (catalog.services.harvest._inspect).
ROOT_FILES = ("publiccode.yml", "codemeta.json")


def integer(value) -> int | None:
    """An integer field: an int, or a decimal string (GitLab's BigInt is a string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def answer(url: str, body) -> tuple[dict, list]:
    """(data, errors) of a decoded GraphQL answer; MalformedResponse for one that is not an
    object, without data, or with an error of the whole query (no `path`)."""
    if not isinstance(body, dict):
        raise MalformedResponse(f"{url}: the answer is not an object")
    errors = body.get("errors") or []
    if not isinstance(errors, list):
        raise MalformedResponse(f"{url}: errors is not a list")
    data = body.get("data")
    if not isinstance(data, dict):
        messages = "; ".join(
            str(error.get("message", ""))[:200] for error in errors if isinstance(error, dict)
        )
        raise MalformedResponse(f"{url}: no data ({messages or 'no error given'})")
    if any(not (isinstance(error, dict) and error.get("path")) for error in errors):
        raise MalformedResponse(f"{url}: an error of the whole query")
    return data, errors


def error_paths(errors: list) -> list[list[str]]:
    """The `path` of each error, as strings (list indexes included)."""
    paths = []
    for error in errors:
        path = error.get("path") if isinstance(error, dict) else None
        if isinstance(path, list) and path and isinstance(path[0], str):
            paths.append([str(part) for part in path])
    return paths


class BatchPrefetch:
    """The batches of one listing page and the answers of the batch being inspected.

    Subclasses say which repositories GraphQL may answer for (`eligible`) and fetch a
    batch (`fetch`: {remote_id: what came}; a repository left out is read through REST)."""

    label = "GraphQL"

    def __init__(self, http: ForgeHTTP, url: str, *, batch_size: int):
        self.http = http
        self.url = url
        self.batch_size = batch_size
        self.batches: list[list[RepoInfo]] = []
        self.batch_of: dict[str, int] = {}
        self.manifests_at: dict[str, str] = {}
        self.current: dict = {}

    def eligible(self, repo: RepoInfo) -> bool:
        # An empty repository costs REST nothing: it is not asked for.
        return not repo.is_empty

    def plan(self, repos: list[RepoInfo], *, manifests_at: dict[str, str]) -> None:
        repos = [repo for repo in repos if self.eligible(repo)]
        self.batches = [
            repos[start : start + self.batch_size]
            for start in range(0, len(repos), self.batch_size)
        ]
        self.batch_of = {
            repo.remote_id: number for number, batch in enumerate(self.batches) for repo in batch
        }
        self.manifests_at = dict(manifests_at)
        self.current = {}

    def lookup(self, repo: RepoInfo):
        """What GraphQL said of `repo`, fetching its batch the first time; None: ask REST."""
        if repo.remote_id not in self.current:
            number = self.batch_of.get(repo.remote_id)
            if number is None:
                return None
            batch = self.batches[number]
            for other in batch:  # fetched once, whatever came
                self.batch_of.pop(other.remote_id, None)
            self.current = {}
            try:
                self.current = self.fetch(batch)
            except RateLimited:
                raise
            except ForgeError as exc:
                # The batch is read through REST, as without a token.
                logger.warning("%s batch failed, reading it through REST: %s", self.label, exc)
        return self.current.get(repo.remote_id)

    def fetch(self, repos: list[RepoInfo]) -> dict:
        raise NotImplementedError
