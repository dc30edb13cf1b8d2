"""One interface over the forges' APIs: owners, paginated repository listings, root files.

Listings are generators of pages. Each page is requested conditionally (If-None-Match) with
the ETag remembered from the previous run; a 304 page carries no repositories, and the
caller takes the ids it listed last time from the same state.
"""

from __future__ import annotations

import base64
import binascii
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.utils.dateparse import parse_datetime

from catalog.manifests import directory_may_hold_manifests, select_manifests
from core.http import ForgeHTTP, MalformedResponse, NotFound
from core.text import clean_line, clean_text, json_safe, safe_url

# Canonical name -> pattern of the root files we look for (case-insensitive).
ROOT_FILE_PATTERNS = {
    "README": re.compile(r"^readme(\.[\w.-]+)?$", re.I),
    "LICENSE": re.compile(r"^(licen[cs]e|copying)([.-][\w.-]+)?$", re.I),
    "CONTRIBUTING": re.compile(r"^contributing(\.[\w.-]+)?$", re.I),
    "CHANGELOG": re.compile(r"^(changelog|changes|history|news)(\.[\w.-]+)?$", re.I),
    "CODE_OF_CONDUCT": re.compile(r"^code[_-]of[_-]conduct(\.[\w.-]+)?$", re.I),
    "SECURITY": re.compile(r"^security(\.[\w.-]+)?$", re.I),
    "publiccode.yml": re.compile(r"^publiccode\.ya?ml$", re.I),
    "codemeta.json": re.compile(r"^codemeta\.json$", re.I),
}
# At most this many first-level directories are listed one by one where the forge has no
# recursive tree (GitLab): the manifests of a monorepo's packages, bounded.
MAX_TREE_DIRECTORIES = 10
# A git commit id as Software Heritage can look it up: SHA-1, 40 lower-case hex digits.
COMMIT_SHA1 = re.compile(r"[0-9a-f]{40}")


def detect_root_files(names) -> tuple[list[str], dict[str, str]]:
    """(canonical names found, canonical name -> actual file name) for a root listing."""
    found: dict[str, str] = {}
    for name in sorted(names):
        for canonical, pattern in ROOT_FILE_PATTERNS.items():
            if canonical not in found and pattern.match(name):
                found[canonical] = name
    return sorted(found), found


def items_may_hold_manifests(items) -> bool:
    """Whether a root listing (`[{name or path, type}]`) holds a manifest or a first-level
    directory (type "dir" or "tree") where select_manifests may pick one."""
    for item in items:
        if not isinstance(item, dict):
            continue
        name = str(item.get("path") or item.get("name") or "")
        if item.get("type") in ("dir", "tree"):
            if directory_may_hold_manifests(name):
                return True
        elif select_manifests([name]):
            return True
    return False


def text(value) -> str:
    """A forge's optional string field, None and numbers included, as a stripped str."""
    return str(value or "").strip()


def clean_fields(info, *, lengths: dict[str, int], urls: tuple[str, ...]) -> None:
    """The boundary for what a forge says (see core.text): every string field of `info`
    cleaned and cut to its column's length, `urls` kept only as http(s) links (a bare host
    gets https://), descriptions on several lines, everything else on one."""
    for item in fields(info):
        value = getattr(info, item.name)
        if item.name in urls:
            setattr(info, item.name, safe_url(value, max_length=lengths[item.name]))
        elif item.name == "description":
            setattr(info, item.name, clean_text(value).strip())
        elif item.name == "raw":
            setattr(info, item.name, json_safe(value))
        elif item.name == "topics":
            setattr(info, item.name, [clean_line(topic, max_length=100) for topic in value])
        elif isinstance(value, str):
            setattr(info, item.name, clean_line(value, max_length=lengths.get(item.name, 255)))


def decode_content(data, where: str) -> bytes:
    """The bytes of a GitHub/Gitea "contents" payload (base64, with line breaks)."""
    if not isinstance(data, dict) or data.get("encoding", "base64") != "base64":
        raise MalformedResponse(f"{where}: unexpected file payload")
    try:
        return base64.b64decode(data.get("content") or "")
    except (binascii.Error, ValueError):
        raise MalformedResponse(f"{where}: invalid base64") from None


def shallow_blobs(items, where: str) -> dict[str, int | None]:
    """{path: size or None} of the blobs of a git tree listing (`[{path, type, size}]`,
    as GitHub, Gitea and GitLab write it) at depth 0 or 1 (at most one "/")."""
    if not isinstance(items, list):
        raise MalformedResponse(f"{where}: the tree is not a list")
    paths = {}
    for item in items:
        if not isinstance(item, dict) or item.get("type") != "blob":
            continue
        path = item.get("path")
        if isinstance(path, str) and path.count("/") <= 1:
            size = item.get("size")
            paths[path] = size if isinstance(size, int) and not isinstance(size, bool) else None
    return paths


def commit_sha1(value) -> str:
    """`value` when it is a SHA-1 commit id as forges write it (40 lower-case hex digits),
    else "" (a SHA-256 repository's 64 digits included)."""
    return value if isinstance(value, str) and COMMIT_SHA1.fullmatch(value) else ""


def with_page(url: str, page: str | None = None) -> str:
    """`url` asking for page `page`, or for the page after its own when None."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["page"] = page if page is not None else str(int(query.get("page", "1")) + 1)
    return urlunsplit(parts._replace(query=urlencode(query)))


def parse_date(value) -> datetime | None:
    if not value:
        return None
    try:
        return parse_datetime(str(value))
    except ValueError:
        return None


@dataclass
class OwnerInfo:
    path: str
    kind: str
    remote_id: str = ""
    name: str = ""
    description: str = ""
    avatar_url: str = ""
    website: str = ""
    email: str = ""
    location: str = ""
    created_at: datetime | None = None
    raw: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        # The lengths of catalog.models.Owner's columns.
        clean_fields(
            self,
            lengths={
                "remote_id": 64,
                "name": 300,
                "avatar_url": 1000,
                "website": 500,
                "email": 254,
            },
            urls=("avatar_url", "website"),
        )


@dataclass
class RepoInfo:
    remote_id: str
    full_path: str
    name: str
    owner_path: str
    web_url: str
    description: str = ""
    homepage: str = ""
    default_branch: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    pushed_at: datetime | None = None
    stars: int = 0
    forks: int = 0
    open_issues: int = 0
    watchers: int = 0
    is_fork: bool = False
    is_archived: bool = False
    is_template: bool = False
    is_empty: bool = False
    license_reported: str = ""
    language: str = ""
    topics: list[str] = field(default_factory=list)
    # Forge-specific handle for follow-up calls (GitLab's numeric id, others' full path).
    api_ref: str = ""
    raw: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        # The lengths of catalog.models.Repository's columns; the raw payload keeps what
        # the forge said.
        clean_fields(
            self,
            lengths={
                "full_path": 500,
                "web_url": 1000,
                "homepage": 1000,
                "language": 100,
                "api_ref": 500,
            },
            urls=("homepage",),
        )

    @property
    def last_activity_at(self) -> datetime | None:
        return max(filter(None, [self.pushed_at, self.updated_at]), default=None)

    def listing_fields(self) -> dict:
        """What the listing says about the repository, raw payload and handles left out."""
        fields = asdict(self)
        for name in ("raw", "api_ref"):
            fields.pop(name)
        return fields


@dataclass
class Page:
    url: str
    etag: str
    next_url: str | None
    repos: list[RepoInfo] | None  # None: 304, unchanged since the previous run

    @property
    def not_modified(self) -> bool:
        return self.repos is None


class ForgeClient(ABC):
    """A forge's API. Subclasses implement the listing parsers and the per-repo calls."""

    # Whether the licence needs a request per repository (the listing lacks it).
    license_needs_request = False
    # What the forge calls a repository (one, many), for the error messages.
    item_names = ("repository", "repositories")

    def __init__(self, *, api_url: str, http: ForgeHTTP):
        self.api_url = api_url.rstrip("/")
        self.http = http
        # (api_ref, items) of the last root listing read (root_names): tree_paths spares
        # requests with it.
        self.root_items: tuple[str | None, list] = (None, [])

    def root_may_hold_manifests(self, repo: RepoInfo) -> bool:
        """Whether the root listing last read for `repo` holds a manifest or a first-level
        directory that may hold one (True when it was not read): without either, the tree
        is not requested."""
        ref, items = self.root_items
        return ref != repo.api_ref or items_may_hold_manifests(items)

    def url(self, path: str, **params) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.api_url}/{path.lstrip('/')}{query}"

    def paginate(self, first_url: str, state: dict, parse) -> Iterator[Page]:
        """Follow a listing page by page; `parse(response)` gives (repos, next_url)."""
        url = first_url
        seen_urls = set()
        while url and url not in seen_urls:
            seen_urls.add(url)
            cached = state.get(url) or {}
            response = self.http.get(url, etag=cached.get("etag", ""))
            if response.not_modified:
                yield Page(url, cached.get("etag", ""), cached.get("next"), None)
                url = cached.get("next")
                continue
            repos, next_url = parse(response)
            yield Page(url, response.etag, next_url, repos)
            url = next_url

    def parse_repos(self, response, items) -> list[RepoInfo]:
        """The `items` of a listing page through `self.parse_repo`; MalformedResponse when
        they are not a list of what the forge should send."""
        one, many = self.item_names
        if not isinstance(items, list):
            raise MalformedResponse(f"{response.url}: expected a list of {many}")
        try:
            return [self.parse_repo(item) for item in items]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MalformedResponse(f"{response.url}: unexpected {one} ({exc})") from None

    # A batch reader of the inspections (GitHub's, GitLab's GraphQL with a token), or None.
    graphql = None

    def prefetch(self, repos: list[RepoInfo], *, manifests_at: dict[str, str]) -> None:
        """Told once per listing page, before their inspection, which repositories are going
        to be inspected, in that order; `manifests_at` gives, for those whose manifests are
        read only when the head moved, the commit they were read at. A client with a batch
        reader (`graphql`) plans it here and it reads lazily; the per-repository methods
        then answer from what came (`prefetched`). Default: nothing."""
        if self.graphql is not None:
            self.graphql.plan(repos, manifests_at=manifests_at)

    def prefetched(self, repo: RepoInfo):
        """What the batch of `repo` said of it; None: ask REST."""
        return self.graphql.lookup(repo) if self.graphql is not None else None

    @abstractmethod
    def fetch_owner(self, path: str) -> OwnerInfo: ...

    @abstractmethod
    def owner_pages(self, owner: OwnerInfo, *, state: dict) -> Iterator[Page]: ...

    @abstractmethod
    def forge_pages(self, *, state: dict) -> Iterator[Page]: ...

    def names_listed_at(self, repo: RepoInfo, url: str, *, listing: str) -> list[str]:
        """The names of the root listing `url` answers (GitHub's contents and GitLab's tree
        alike: a list of objects with a `name`); none for an empty or missing repository."""
        if repo.is_empty:
            return []
        try:
            items = self.http.get(url).json()
        except NotFound:
            return []
        if not isinstance(items, list):
            raise MalformedResponse(f"{repo.full_path}: the root {listing} is not a list")
        # Kept for tree_paths where the forge has no recursive tree (GitLab).
        self.root_items = (repo.api_ref, items)
        return [str(item.get("name", "")) for item in items if isinstance(item, dict)]

    @abstractmethod
    def root_names(self, repo: RepoInfo) -> list[str]:
        """Names of the files and folders at the root; empty for an empty repository."""

    @abstractmethod
    def read_file(self, repo: RepoInfo, name: str) -> bytes | None:
        """The bytes of the file at `name` (a path from the root, "dir/file" included) on
        the default branch; None when the forge has no such file."""

    @abstractmethod
    def tree_paths(self, repo: RepoInfo, head: str) -> dict[str, int | None]:
        """The files at the root and in first-level directories (at most one "/") of the
        tree at commit `head`, with their size in bytes when the forge gives it: what
        catalog.manifests.select_manifests picks from. Empty, without a request, for an
        empty repository or no head."""

    @abstractmethod
    def languages(self, repo: RepoInfo) -> dict: ...

    def license(self, repo: RepoInfo) -> str:
        return repo.license_reported

    # The key of the commit's id in the branch payload's `commit` object.
    branch_commit_key = "id"

    @abstractmethod
    def branch_url(self, repo: RepoInfo) -> str:
        """The API URL of the repository's default branch (a branch object with its
        head commit)."""

    def head_commit(self, repo: RepoInfo) -> str:
        """The SHA-1 of the commit at the head of the default branch: one request, none for
        an empty repository or one without a default branch; "" for those, for a branch the
        forge does not know (404) and for an id that is not a SHA-1."""
        if repo.is_empty or not repo.default_branch:
            return ""
        try:
            data = self.http.get(self.branch_url(repo)).json()
        except NotFound:
            return ""
        commit = data.get("commit") if isinstance(data, dict) else None
        if not isinstance(commit, dict):
            raise MalformedResponse(f"{repo.full_path}: the default branch has no commit object")
        return commit_sha1(commit.get(self.branch_commit_key))


class ContentsAPI:
    """Root listing, files and languages through the `/repos/{owner}/{repo}/contents` API
    that GitHub defined and Gitea, Forgejo and Gogs copied."""

    contents_root = "contents"

    @staticmethod
    def parse_shared_repo(data: dict, **fields) -> RepoInfo:
        """A RepoInfo from a repository in the JSON shape GitHub defined and Gitea, Forgejo
        and Gogs copied: the keys they all read alike are read here, `fields` holds what
        each forge names or computes its own way."""
        return RepoInfo(
            remote_id=text(data["id"]),
            full_path=text(data["full_name"]),
            name=text(data.get("name")),
            web_url=text(data.get("html_url")),
            description=text(data.get("description")),
            default_branch=text(data.get("default_branch")),
            created_at=parse_date(data.get("created_at")),
            updated_at=parse_date(data.get("updated_at")),
            forks=int(data.get("forks_count") or 0),
            open_issues=int(data.get("open_issues_count") or 0),
            watchers=int(data.get("watchers_count") or 0),
            is_fork=bool(data.get("fork")),
            is_archived=bool(data.get("archived")),
            language=text(data.get("language")),
            topics=[str(topic) for topic in data.get("topics") or []],
            api_ref=text(data["full_name"]),
            raw=data,
            **fields,
        )

    @staticmethod
    def parse_shared_owner(data: dict, **fields) -> OwnerInfo:
        """An OwnerInfo from an organisation or a user in that same shared JSON shape (see
        parse_shared_repo); `fields` holds what each forge names its own way."""
        return OwnerInfo(
            remote_id=text(data.get("id")),
            avatar_url=text(data.get("avatar_url")),
            email=text(data.get("email")),
            location=text(data.get("location")),
            raw=data,
            **fields,
        )

    def org_or_user(self, path: str) -> tuple[object, bool]:
        """(decoded payload, whether it is an organisation): orgs/ first, then users/."""
        try:
            return self.http.get(self.url(f"orgs/{quote(path)}")).json(), True
        except NotFound:
            return self.http.get(self.url(f"users/{quote(path)}")).json(), False

    def root_names(self, repo: RepoInfo) -> list[str]:
        url = self.url(f"repos/{repo.api_ref}/{self.contents_root}")
        return self.names_listed_at(repo, url, listing="listing")

    def read_file(self, repo: RepoInfo, name: str) -> bytes | None:
        try:
            data = self.http.get(self.url(f"repos/{repo.api_ref}/contents/{quote(name)}")).json()
        except NotFound:
            return None
        return decode_content(data, f"{repo.full_path}/{name}")

    def languages(self, repo: RepoInfo) -> dict:
        data = self.http.get(self.url(f"repos/{repo.api_ref}/languages")).json()
        return data if isinstance(data, dict) else {}

    def tree_paths(self, repo: RepoInfo, head: str) -> dict[str, int | None]:
        # One request: the recursive tree of the commit. A truncated tree (over 100,000
        # entries or 7 MB on GitHub; over one page of 1,000 on Gitea) keeps what came.
        if repo.is_empty or not head or not self.root_may_hold_manifests(repo):
            return {}
        url = self.url(f"repos/{repo.api_ref}/git/trees/{quote(head)}", recursive=1)
        try:
            data = self.http.get(url).json()
        except NotFound:
            return {}
        if not isinstance(data, dict):
            raise MalformedResponse(f"{repo.full_path}: the tree is not an object")
        return shallow_blobs(data.get("tree") or [], repo.full_path)

    def branch_url(self, repo: RepoInfo) -> str:
        # A branch name may hold slashes: the route takes the rest of the path.
        return self.url(f"repos/{repo.api_ref}/branches/{quote(repo.default_branch)}")
