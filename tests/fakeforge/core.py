"""Shared core of the fake forge: data model, request/response helpers, pagination.

Dialect modules (``github``, ``gitlab``, ``gitea``) build on these helpers; the HTTP server,
the stores and the fault injection live in ``server``.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .server import FakeForge

OWNER_KINDS = ("organization", "group", "user")

# SPDX id -> (display name used by GitHub and GitLab, GitLab nickname).
LICENSES: dict[str, tuple[str, str | None]] = {
    "MIT": ("MIT License", None),
    "Apache-2.0": ("Apache License 2.0", None),
    "AGPL-3.0": ("GNU Affero General Public License v3.0", "GNU AGPLv3"),
    "AGPL-3.0-only": ("GNU Affero General Public License v3.0", "GNU AGPLv3"),
    "AGPL-3.0-or-later": ("GNU Affero General Public License v3.0", "GNU AGPLv3"),
    "GPL-2.0": ("GNU General Public License v2.0", "GNU GPLv2"),
    "GPL-3.0": ("GNU General Public License v3.0", "GNU GPLv3"),
    "GPL-3.0-only": ("GNU General Public License v3.0", "GNU GPLv3"),
    "GPL-3.0-or-later": ("GNU General Public License v3.0", "GNU GPLv3"),
    "LGPL-2.1": ("GNU Lesser General Public License v2.1", "GNU LGPLv2.1"),
    "LGPL-3.0": ("GNU Lesser General Public License v3.0", "GNU LGPLv3"),
    "EUPL-1.2": ("European Union Public License 1.2", None),
    "MPL-2.0": ("Mozilla Public License 2.0", None),
    "BSD-2-Clause": ('BSD 2-Clause "Simplified" License', None),
    "BSD-3-Clause": ('BSD 3-Clause "New" or "Revised" License', None),
    "CC0-1.0": ("Creative Commons Zero v1.0 Universal", None),
    "Unlicense": ("The Unlicense", None),
    "ISC": ("ISC License", None),
}

# File extension -> language, used when a repository has no explicit ``languages``.
EXTENSION_LANGUAGES = {
    ".py": "Python",
    ".js": "JavaScript",
    ".ts": "TypeScript",
    ".vue": "Vue",
    ".java": "Java",
    ".kt": "Kotlin",
    ".go": "Go",
    ".rb": "Ruby",
    ".php": "PHP",
    ".rs": "Rust",
    ".c": "C",
    ".h": "C",
    ".cpp": "C++",
    ".cs": "C#",
    ".sh": "Shell",
    ".html": "HTML",
    ".css": "CSS",
    ".scala": "Scala",
    ".ex": "Elixir",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(value: datetime, *, millis: bool = False) -> str:
    """``2024-01-31T12:00:00Z`` (GitHub, Gitea) or ``2024-01-31T12:00:00.000Z`` (GitLab)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{value.microsecond // 1000:03d}Z" if millis else f"{text}Z"


def sha1(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def blob_sha(data: bytes) -> str:
    """The git object id of a blob with this content."""
    return sha1(b"blob %d\0" % len(data) + data)


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def license_info(spdx: str) -> tuple[str, str, str | None]:
    """(lowercase key, display name, GitLab nickname) of an SPDX id."""
    name, nickname = LICENSES.get(spdx, (spdx, None))
    return spdx.lower(), name, nickname


# --- data model ---------------------------------------------------------------------------


@dataclass(eq=False)
class FakeOwner:
    """An organization, a (GitLab) group or a user. ``path`` is immutable once added."""

    path: str
    kind: str = "organization"
    id: int = 0
    name: str = ""
    description: str = ""  # GitHub/GitLab users: bio
    email: str = ""
    location: str = ""
    website: str = ""  # GitHub: blog
    avatar_url: str = ""
    created_at: datetime = field(default_factory=utcnow)

    @property
    def login(self) -> str:
        """Last path segment (GitHub login, GitLab group path, Gitea username)."""
        return self.path.rpartition("/")[2]

    @property
    def parent_path(self) -> str:
        return self.path.rpartition("/")[0]

    @property
    def is_org(self) -> bool:
        return self.kind != "user"

    @property
    def display_name(self) -> str:
        return self.name or self.login


class Entry(NamedTuple):
    """A file or directory of a repository tree."""

    name: str
    path: str
    type: str  # "file" | "dir"
    data: bytes | None

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0

    def sha(self, repo_id: int) -> str:
        if self.data is not None:
            return blob_sha(self.data)
        return sha1(f"tree {repo_id} {self.path}".encode())


@dataclass(eq=False)
class FakeRepo:
    """A repository. Mutable: change fields, the next responses reflect them.

    Assigning ``name``, ``owner`` (a FakeOwner or a path) or ``id`` re-indexes the repository;
    assigning ``files`` or ``empty`` simulates a push (see ``touch``). In-place edits of
    ``files``/``topics`` are served too but do not bump the dates.

    The default branch's head commit (``head_commit``) is a stable fake SHA-1 of the id and
    ``pushes``, the number of pushes (``touch()``, or assigning ``pushed_at``); a rename or a
    transfer keeps it. ``head_sha`` set to a string is served as it is instead (a malformed
    id, a SHA-256 one).
    """

    owner: FakeOwner
    name: str
    id: int
    description: str = ""
    files: dict[str, str | bytes] = field(default_factory=dict, repr=False)
    languages: dict[str, int] | None = None  # None: inferred from file extensions
    license: str | None = None  # SPDX id
    topics: list[str] = field(default_factory=list)
    stars: int = 0
    forks: int = 0
    open_issues: int = 0
    archived: bool = False
    fork: bool = False
    fork_of: str | None = None  # full path of the upstream, for forks
    template: bool = False
    default_branch: str = "main"
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    pushed_at: datetime = field(default_factory=utcnow)
    homepage: str = ""
    empty: bool = False
    pushes: int = 0
    head_sha: str | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, datetime):
            value = _aware(value)  # naive datetimes are UTC
        forge = self.__dict__.get("_forge")
        if forge is None:
            object.__setattr__(self, name, value)
        else:
            forge._update_repo(self, name, value)

    @property
    def full_name(self) -> str:
        return f"{self.owner.path}/{self.name}"

    @property
    def is_empty(self) -> bool:
        return self.empty or not self.files

    @property
    def head_commit(self) -> str:
        """The id of the commit at the head of the default branch ("" when empty)."""
        if self.is_empty:
            return ""
        if self.head_sha is not None:
            return self.head_sha
        return sha1(f"commit {self.id} push {self.pushes}".encode())

    def touch(self) -> None:
        """Simulate a push: ``pushed_at`` and ``updated_at`` move forward (at least 1 s) and
        the default branch gets a new head commit."""
        stamp = max(utcnow(), self.pushed_at + timedelta(seconds=1))
        object.__setattr__(self, "pushed_at", stamp)
        object.__setattr__(self, "updated_at", max(stamp, self.updated_at))
        object.__setattr__(self, "pushes", self.pushes + 1)
        forge = self.__dict__.get("_forge")
        if forge is not None:
            forge._changed()

    def blobs(self) -> dict[str, bytes]:
        """Files as bytes, by path without leading slash (empty for an empty repository)."""
        if self.is_empty:
            return {}
        return {
            path.strip("/"): data.encode() if isinstance(data, str) else bytes(data)
            for path, data in self.files.items()
        }

    def blob(self, path: str) -> bytes | None:
        return self.blobs().get(path.strip("/"))

    def list_dir(self, path: str = "", *, recursive: bool = False) -> list[Entry] | None:
        """Entries of a directory sorted by path, None if it does not exist."""
        prefix = path.strip("/")
        lead = f"{prefix}/" if prefix else ""
        entries: dict[str, Entry] = {}
        for file_path, data in self.blobs().items():
            if not file_path.startswith(lead):
                continue
            parts = file_path[len(lead) :].split("/")
            if len(parts) > 1 and not recursive:
                sub = lead + parts[0]
                entries.setdefault(sub, Entry(parts[0], sub, "dir", None))
                continue
            for depth in range(1, len(parts)):  # intermediate directories (recursive)
                sub = lead + "/".join(parts[:depth])
                entries.setdefault(sub, Entry(parts[depth - 1], sub, "dir", None))
            entries[file_path] = Entry(parts[-1], file_path, "file", data)
        if not entries and (prefix or self.is_empty):
            return None
        return sorted(entries.values(), key=lambda entry: entry.path)

    def git_tree(self, ref: str, *, recursive: bool) -> list[Entry] | None:
        """The entries of the tree of ``ref`` (the head commit or the default branch's
        name), None for another ref or an empty repository."""
        if self.is_empty or ref not in (self.head_commit, self.default_branch):
            return None
        return self.list_dir("", recursive=recursive)

    def language_bytes(self) -> dict[str, int]:
        """Bytes per language, largest first."""
        if self.is_empty:
            return {}
        if self.languages is not None:
            stats = dict(self.languages)
        else:
            stats = {}
            for path, data in self.blobs().items():
                ext = "." + path.rpartition(".")[2] if "." in path else ""
                if lang := EXTENSION_LANGUAGES.get(ext.lower()):
                    stats[lang] = stats.get(lang, 0) + len(data)
        return dict(sorted(stats.items(), key=lambda item: (-item[1], item[0])))

    @property
    def primary_language(self) -> str | None:
        stats = self.language_bytes()
        return next(iter(stats), None)

    @property
    def size_kb(self) -> int:
        return math.ceil(sum(len(data) for data in self.blobs().values()) / 1024)

    def readme_path(self) -> str | None:
        return next(
            (p for p in self.blobs() if "/" not in p and p.lower().startswith("readme")), None
        )


def git_tree_json(api: str, repo: FakeRepo, entries: list[Entry]) -> list[dict[str, Any]]:
    """Entries as GitHub's and Gitea's git/trees API write them (``size`` on blobs only)."""
    items = []
    for entry in entries:
        blob = entry.type == "file"
        item = {
            "path": entry.path,
            "mode": "100644" if blob else "040000",
            "type": "blob" if blob else "tree",
            "sha": entry.sha(repo.id),
            "url": f"{api}/repos/{repo.full_name}/git/{'blobs' if blob else 'trees'}/"
            + entry.sha(repo.id),
        }
        if blob:
            item["size"] = entry.size
        items.append(item)
    return items


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def fork_parent(forge: FakeForge, repo: FakeRepo) -> tuple[int, str]:
    """(id, full path) of a fork's upstream: the stored repository, else a synthetic one."""
    upstream = repo.fork_of or f"upstream/{repo.name}"
    namespace, _, name = upstream.rpartition("/")
    parent = forge.find_repo(namespace, name) if namespace else None
    if parent is not None:
        return parent.id, parent.full_name
    return 1_000_000_000 + repo.id, upstream


# --- HTTP plumbing ------------------------------------------------------------------------


class ApiError(Exception):
    """Raised by handlers; rendered with the dialect's error body."""

    def __init__(self, status: int, message: str | None = None):
        super().__init__(status, message)
        self.status = status
        self.message = message


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    all_headers = {"Content-Type": "application/json; charset=utf-8"}
    all_headers.update(headers or {})
    return Response(status, body, all_headers)


class Request:
    """What a handler sees of an HTTP request."""

    def __init__(self, forge: FakeForge, method: str, target: str, headers: Any, path: str):
        self.forge = forge
        self.method = method
        self.target = target  # path on the server with query string, as received
        self.full_path, _, query = target.partition("?")
        self.path = path  # relative to the API prefix, percent-encoded
        self.query_pairs = parse_qsl(query, keep_blank_values=True)
        self.query = dict(self.query_pairs)
        self.headers = headers

    def arg_int(self, name: str, default: int) -> int:
        try:
            value = int(self.query.get(name, default))
        except ValueError:
            return default
        return value if value >= 1 else default

    def arg_bool(self, name: str) -> bool | None:
        value = self.query.get(name)
        return None if value in (None, "") else value.lower() in ("1", "true", "yes")

    def url(self, **params: Any) -> str:
        """Absolute URL of this request with some query parameters replaced or added."""
        pairs, seen = [], set()
        for key, value in self.query_pairs:
            if key in params:
                if key in seen:
                    continue
                seen.add(key)
                value = str(params[key])
            pairs.append((key, value))
        pairs += [(key, str(value)) for key, value in params.items() if key not in seen]
        query = f"?{urlencode(pairs)}" if pairs else ""
        return f"{self.forge.base_url}{self.full_path}{query}"


@dataclass
class Page:
    items: Sequence[Any]
    number: int
    per_page: int
    total: int

    @property
    def last(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.number < self.last


def paginate(
    req: Request,
    items: Sequence[Any],
    *,
    default_size: int,
    max_size: int,
    size_param: str = "per_page",
    page_param: str = "page",
) -> Page:
    """Offset pagination; pages beyond an ``interrupt_listing_after`` limit fail."""
    per_page = min(req.arg_int(size_param, default_size), max_size)
    number = req.arg_int(page_param, 1)
    req.forge.check_interrupt(req, number)
    start = (number - 1) * per_page
    return Page(items[start : start + per_page], number, per_page, len(items))


def link_header(
    req: Request, page: Page, *, page_param: str = "page", always_first_last: bool = False
) -> str | None:
    """RFC 8288 ``Link`` header: GitHub/Gitea style, or GitLab style (first/last always)."""
    rels: list[tuple[int, str]] = []
    if page.number > 1:
        rels.append((min(page.number - 1, page.last), "prev"))
    if page.has_next:
        rels.append((page.number + 1, "next"))
    if always_first_last or page.number > 1:
        rels.append((1, "first"))
    if always_first_last or page.has_next:
        rels.append((page.last, "last"))
    if not rels:
        return None
    return ", ".join(f'<{req.url(**{page_param: n})}>; rel="{rel}"' for n, rel in rels)


def sort_repos(
    repos: list[FakeRepo], key: Callable[[FakeRepo], Any], *, descending: bool = False
) -> list[FakeRepo]:
    """Sorted copy, ties broken by id (in the same direction)."""
    return sorted(repos, key=lambda repo: (key(repo), repo.id), reverse=descending)
