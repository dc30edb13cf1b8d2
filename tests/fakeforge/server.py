"""The FakeForge server: stores, HTTP plumbing, conditional requests, rate limits, faults."""

from __future__ import annotations

import math
import re
import threading
import time
import traceback
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote

from tests.fakehttp import ServedFake, TrackingHTTPServer

from . import gitea, github, gitlab, gitlab_graphql
from . import graphql as graphql_endpoint
from .core import (
    OWNER_KINDS,
    ApiError,
    FakeOwner,
    FakeRepo,
    Request,
    Response,
    json_response,
    sha1,
    utcnow,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

DIALECTS = {"github": github, "gitlab": gitlab, "gitea": gitea}
MALFORMED_BODY = b'[{"id": 1, "name": "truncated'


class LoggedRequest(NamedTuple):
    method: str
    path: str  # path on the server with its query string, as received
    status: int


@dataclass
class _Fault:
    action: str  # "fail" | "delay" | "malformed" | "secondary"
    times: int
    path: re.Pattern[str] | None
    status: int = 0
    seconds: float = 0.0
    body: bytes | None = None

    def matches(self, target: str) -> bool:
        return self.path is None or self.path.search(target) is not None


@dataclass
class _Interrupt:
    pages: int
    status: int
    path: re.Pattern[str] | None


def _pattern(path: str | re.Pattern[str] | None) -> re.Pattern[str] | None:
    return re.compile(path) if isinstance(path, str) else path


class FakeForge(ServedFake):
    """A fake GitHub, GitLab or Gitea API served over HTTP on 127.0.0.1 (see package docs)."""

    def __init__(
        self, kind: str = "github", latency: float = 0.0, *, host: str = "127.0.0.1", port: int = 0
    ):
        if kind not in DIALECTS:
            raise ValueError(f"kind must be one of {sorted(DIALECTS)}, not {kind!r}")
        self.kind = kind
        self.latency = latency
        self._init_lifecycle(host, port)
        self.rate_limit_budget = 5000
        self.requests: list[LoggedRequest] = []
        self._dialect = DIALECTS[kind]
        self._lock = threading.RLock()
        self._owners: dict[str, FakeOwner] = {}
        self._owners_by_id: dict[int, FakeOwner] = {}
        self._repos: dict[str, dict[str, FakeRepo]] = {}  # owner key -> repo name key -> repo
        self._repos_by_id: dict[int, FakeRepo] = {}
        self._next_owner_id = 1
        self._next_repo_id = 1
        self._version = 0
        self._cache: dict[Any, Any] = {}
        self._cache_version = -1
        self._faults: list[_Fault] = []
        self._interrupts: list[_Interrupt] = []
        self._rl_remaining = 0
        self._rl_reset_at: float | None = None
        # GitHub's GraphQL budget, apart from REST's (see the graphql module).
        self.graphql_budget = 5000
        self.graphql_remaining = 0
        self.graphql_reset_at = 0.0
        self._graphql_repo_errors: dict[str, list] = {}

    # --- lifecycle --------------------------------------------------------------------------

    def _make_server(self) -> _Server:
        return _Server((self.host, self._port), self)

    @property
    def _thread_name(self) -> str:
        return f"fakeforge-{self.kind}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: web URLs (html_url, web_url) live here."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """What a client is configured with (no trailing slash)."""
        return self.base_url + self._dialect.PREFIX

    # --- data -------------------------------------------------------------------------------

    def add_owner(
        self, path: str, kind: str | None = None, *, id: int | None = None, **profile: Any
    ) -> FakeOwner:
        """Add an organization/group/user; missing parent GitLab groups are created."""
        path = path.strip("/")
        kind = self._owner_kind(kind)
        with self._lock:
            if path.lower() in self._owners:
                raise ValueError(f"owner {path!r} already exists")
            parent_path = path.rpartition("/")[0]
            if parent_path:
                if not self._dialect.NESTED_OWNERS or kind == "user":
                    raise ValueError(f"only GitLab groups can be nested: {path!r}")
                parent = self.find_owner(parent_path) or self.add_owner(parent_path, "group")
                if not parent.is_org:
                    raise ValueError(f"{parent_path!r} is a user, it cannot have subgroups")
            owner_id = self._claim_id(id, self._owners_by_id, "_next_owner_id")
            owner = FakeOwner(path=path, kind=kind, id=owner_id, **profile)
            self._owners[path.lower()] = owner
            self._owners_by_id[owner_id] = owner
            self._repos[path.lower()] = {}
            self._changed()
            return owner

    def add_repo(
        self,
        owner_path: str,
        name: str,
        *,
        id: int | None = None,
        description: str = "",
        files: Mapping[str, str | bytes] | None = None,
        languages: Mapping[str, int] | None = None,
        license: str | None = None,
        topics: list[str] | tuple[str, ...] = (),
        stars: int = 0,
        forks: int = 0,
        open_issues: int = 0,
        archived: bool = False,
        fork: bool = False,
        fork_of: str | None = None,
        template: bool = False,
        default_branch: str = "main",
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
        pushed_at: datetime | None = None,
        homepage: str = "",
        empty: bool = False,
    ) -> FakeRepo:
        """Add a repository; its owner is created (default kind) when missing."""
        now = utcnow()
        if files is None:
            files = {} if empty else {"README.md": f"# {name}\n\n{description}\n"}
        with self._lock:
            owner = self.find_owner(owner_path) or self.add_owner(owner_path)
            if name.lower() in self._repos[owner.path.lower()]:
                raise ValueError(f"repository {owner.path}/{name} already exists")
            repo = FakeRepo(
                owner=owner,
                name=name,
                id=self._claim_id(id, self._repos_by_id, "_next_repo_id"),
                description=description,
                files=dict(files),
                languages=dict(languages) if languages is not None else None,
                license=license,
                topics=list(topics),
                stars=stars,
                forks=forks,
                open_issues=open_issues,
                archived=archived,
                fork=fork or fork_of is not None,
                fork_of=fork_of,
                template=template,
                default_branch=default_branch,
                created_at=created_at or now,
                updated_at=updated_at or now,
                pushed_at=pushed_at or now,
                homepage=homepage,
                empty=empty,
            )
            self._index(repo)
            object.__setattr__(repo, "_forge", self)
            self._changed()
            return repo

    def remove_repo(self, owner_path: str, name: str) -> FakeRepo:
        with self._lock:
            repo = self.get_repo(owner_path, name)
            self._unindex(repo)
            del repo.__dict__["_forge"]
            self._changed()
            return repo

    def rename_repo(self, owner_path: str, old: str, new: str) -> FakeRepo:
        """Same id, new path (old path then answers 404)."""
        repo = self.get_repo(owner_path, old)
        repo.name = new
        return repo

    def move_repo(
        self, owner_path: str, name: str, new_owner_path: str, new_name: str | None = None
    ) -> FakeRepo:
        """Transfer to another owner (created when missing), optionally renaming it."""
        with self._lock:
            repo = self.get_repo(owner_path, name)
            new_name = new_name or repo.name
            if self.find_repo(new_owner_path, new_name) not in (None, repo):
                raise ValueError(f"repository {new_owner_path}/{new_name} already exists")
            owner = self.find_owner(new_owner_path) or self.add_owner(new_owner_path)
            self._unindex(repo)
            object.__setattr__(repo, "owner", owner)
            object.__setattr__(repo, "name", new_name)
            self._index(repo)
            self._changed()
            return repo

    def get_owner(self, path: str) -> FakeOwner:
        owner = self.find_owner(path)
        if owner is None:
            raise KeyError(path)
        return owner

    def get_repo(self, owner_path: str, name: str) -> FakeRepo:
        repo = self.find_repo(owner_path, name)
        if repo is None:
            raise KeyError(f"{owner_path}/{name}")
        return repo

    @property
    def owners(self) -> list[FakeOwner]:
        with self._lock:
            return list(self._owners.values())

    @property
    def repos(self) -> list[FakeRepo]:
        with self._lock:
            return list(self._repos_by_id.values())

    # Lookups for dialect modules (case-insensitive paths).

    def find_owner(self, path: str) -> FakeOwner | None:
        return self._owners.get(path.strip("/").lower())

    def find_repo(self, owner_path: str, name: str) -> FakeRepo | None:
        return self._repos.get(owner_path.strip("/").lower(), {}).get(name.lower())

    def owner_by_id(self, owner_id: int) -> FakeOwner | None:
        return self._owners_by_id.get(owner_id)

    def repo_by_id(self, repo_id: int) -> FakeRepo | None:
        return self._repos_by_id.get(repo_id)

    def repos_of(self, owner_path: str, *, subgroups: bool = False) -> list[FakeRepo]:
        key = owner_path.strip("/").lower()
        if not subgroups:
            return list(self._repos.get(key, {}).values())
        return [
            repo
            for owner_key, repos in self._repos.items()
            if owner_key == key or owner_key.startswith(key + "/")
            for repo in repos.values()
        ]

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """Memoize ``build()`` until the next data change (any repository or owner change)."""
        with self._lock:
            if self._cache_version != self._version:
                self._cache.clear()
                self._cache_version = self._version
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def _changed(self) -> None:
        self._version += 1

    def _owner_kind(self, kind: str | None) -> str:
        if kind is None:
            return self._dialect.DEFAULT_OWNER_KIND
        if kind not in OWNER_KINDS:
            raise ValueError(f"kind must be one of {OWNER_KINDS}, not {kind!r}")
        return "user" if kind == "user" else self._dialect.DEFAULT_OWNER_KIND

    def _claim_id(self, wanted: int | None, taken: Mapping[int, Any], counter: str) -> int:
        if wanted is None:
            wanted = getattr(self, counter)
            while wanted in taken:
                wanted += 1
        elif wanted in taken:
            raise ValueError(f"id {wanted} is already used")
        setattr(self, counter, max(getattr(self, counter), wanted + 1))
        return wanted

    def _index(self, repo: FakeRepo) -> None:
        names = self._repos[repo.owner.path.lower()]
        other = names.get(repo.name.lower())
        if other is not None and other is not repo:
            raise ValueError(f"repository {repo.full_name} already exists")
        other = self._repos_by_id.get(repo.id)
        if other is not None and other is not repo:
            raise ValueError(f"repository id {repo.id} is already used")
        names[repo.name.lower()] = repo
        self._repos_by_id[repo.id] = repo

    def _unindex(self, repo: FakeRepo) -> None:
        del self._repos[repo.owner.path.lower()][repo.name.lower()]
        del self._repos_by_id[repo.id]

    def _update_repo(self, repo: FakeRepo, attr: str, value: Any) -> None:
        """Attribute assignment on a stored repository (see FakeRepo.__setattr__)."""
        with self._lock:
            if attr in ("name", "owner", "id"):
                if attr == "owner":
                    path = value if isinstance(value, str) else value.path
                    value = self.find_owner(path) or self.add_owner(path)
                old = repo.__dict__[attr]
                self._unindex(repo)
                object.__setattr__(repo, attr, value)
                try:
                    self._index(repo)
                except ValueError:
                    object.__setattr__(repo, attr, old)
                    self._index(repo)
                    raise
            else:
                pushed = attr == "pushed_at" and value != repo.pushed_at
                object.__setattr__(repo, attr, value)
                if attr in ("files", "empty"):
                    repo.touch()
                elif pushed:  # a push sets pushed_at: the branch moves on too
                    object.__setattr__(repo, "pushes", repo.pushes + 1)
            self._changed()

    # --- faults -----------------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 502,
        times: int = 1,
        path: str | re.Pattern[str] | None = None,
        *,
        body: str | bytes | None = None,
    ) -> None:
        """The next ``times`` matching requests get ``status`` (body: dialect error JSON)."""
        raw = body.encode() if isinstance(body, str) else body
        self._add_fault(_Fault("fail", times, _pattern(path), status=status, body=raw))

    def delay_next(
        self, seconds: float, times: int = 1, path: str | re.Pattern[str] | None = None
    ) -> None:
        """The next ``times`` matching requests are answered after ``seconds``."""
        self._add_fault(_Fault("delay", times, _pattern(path), seconds=seconds))

    def malformed_next(self, times: int = 1, path: str | re.Pattern[str] | None = None) -> None:
        """The next ``times`` matching requests get 200 with a truncated JSON body."""
        self._add_fault(_Fault("malformed", times, _pattern(path)))

    def secondary_rate_limit(
        self,
        retry_after: int = 1,
        times: int = 1,
        *,
        status: int | None = None,
        path: str | re.Pattern[str] | None = None,
    ) -> None:
        """GitHub: 403 (or ``status=429``) with Retry-After; GitLab/Gitea: 429."""
        default = 403 if self.kind == "github" else 429
        fault = _Fault("secondary", times, _pattern(path), status=status or default)
        fault.seconds = retry_after
        self._add_fault(fault)

    def rate_limit(self, remaining: int = 0, reset_in: float = 2) -> None:
        """Set the primary rate-limit window: ``remaining`` requests left, reset in N seconds.

        Once exhausted, GitHub answers 403 with X-RateLimit-Remaining: 0 and the reset epoch,
        GitLab/Gitea 429 with Retry-After, until the reset; then the full budget is back.
        """
        with self._lock:
            self._rl_remaining = remaining
            self._rl_reset_at = time.time() + reset_in

    def graphql_rate_limit(self, remaining: int = 0, reset_in: float = 2) -> None:
        """GitHub's GraphQL budget: ``remaining`` points left (a query costs one), back to
        ``graphql_budget`` in ``reset_in`` seconds."""
        with self._lock:
            self.graphql_remaining = remaining
            self.graphql_reset_at = time.time() + reset_in

    def graphql_repo_error(
        self, full_name: str, type: str = "SERVICE_UNAVAILABLE", times: int = 1
    ) -> None:
        """The next ``times`` GraphQL resolutions of that repository answer null with an
        error of ``type`` (its alias only: the rest of the query goes on)."""
        with self._lock:
            self._graphql_repo_errors[full_name.lower()] = [type, times]

    def take_graphql_repo_error(self, full_name: str) -> str | None:
        with self._lock:
            pending = self._graphql_repo_errors.get(full_name.lower())
            if not pending:
                return None
            pending[1] -= 1
            if pending[1] <= 0:
                del self._graphql_repo_errors[full_name.lower()]
            return pending[0]

    def refresh_graphql_window(self) -> None:
        now = time.time()
        if now >= self.graphql_reset_at:
            self.graphql_remaining = self.graphql_budget
            self.graphql_reset_at = now + 3600

    def interrupt_listing_after(
        self, pages: int, status: int = 500, path: str | re.Pattern[str] | None = None
    ) -> None:
        """Paginated listing pages after page ``pages`` fail, until ``clear_faults()``."""
        with self._lock:
            self._interrupts.append(_Interrupt(pages, status, _pattern(path)))

    def clear_faults(self) -> None:
        """Drop pending faults and interruptions; reset the rate-limit window."""
        with self._lock:
            self._faults.clear()
            self._interrupts.clear()
            self._graphql_repo_errors.clear()
            self._rl_reset_at = None
            self.graphql_reset_at = 0.0

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def check_interrupt(self, req: Request, page: int) -> None:
        """Called by paginated handlers with the 1-based page number being served."""
        for rule in self._interrupts:
            if page > rule.pages and (rule.path is None or rule.path.search(req.target)):
                raise ApiError(rule.status)

    def _add_fault(self, fault: _Fault) -> None:
        if fault.times > 0:
            with self._lock:
                self._faults.append(fault)

    def _take_fault(self, target: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(target):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # --- request handling -------------------------------------------------------------------

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _serve(self, method: str, target: str, headers: Any, body: bytes = b"") -> Response:
        self._sleep(self.latency)
        fault = self._take_fault(target)
        if fault is not None and fault.action == "delay":
            self._sleep(fault.seconds)
            fault = None
        route = target.partition("?")[0]
        graphql = (self.kind, route) in (("github", "/graphql"), ("gitlab", "/api/graphql"))
        with self._lock:
            self._refresh_rate_window()
            if fault is not None:
                response = self._fault_response(fault)
            elif graphql:  # its own budget and headers
                endpoint = graphql_endpoint if self.kind == "github" else gitlab_graphql
                response = endpoint.serve(self, method, headers, body)
                self.requests.append(LoggedRequest(method, target, response.status))
                return response
            elif self._rl_reset_at is not None and self._rl_remaining <= 0:
                reset = math.ceil(self._rl_reset_at)
                retry_after = max(1, math.ceil(self._rl_reset_at - time.time()))
                response = self._dialect.rate_limited(reset, retry_after)
            else:
                response = self._route(method, target, headers)
                etag = response.headers.get("ETag")
                if etag and _etag_matches(headers.get("If-None-Match"), etag):
                    response = Response(304, b"", {"ETag": etag})
                if response.status != 304 and self._rl_reset_at is not None:
                    self._rl_remaining = max(0, self._rl_remaining - 1)
            if self.kind == "github":
                self._add_rate_headers(response)
            self.requests.append(LoggedRequest(method, target, response.status))
        return response

    def _refresh_rate_window(self) -> None:
        now = time.time()
        if self._rl_reset_at is not None and now >= self._rl_reset_at:
            self._rl_reset_at = None
        if self._rl_reset_at is None and self.kind == "github":
            self._rl_remaining = self.rate_limit_budget
            self._rl_reset_at = now + 3600

    def _add_rate_headers(self, response: Response) -> None:
        assert self._rl_reset_at is not None
        response.headers.update(
            {
                "X-RateLimit-Limit": str(self.rate_limit_budget),
                "X-RateLimit-Remaining": str(self._rl_remaining),
                "X-RateLimit-Reset": str(math.ceil(self._rl_reset_at)),
                "X-RateLimit-Used": str(max(0, self.rate_limit_budget - self._rl_remaining)),
                "X-RateLimit-Resource": "core",
            }
        )

    def _fault_response(self, fault: _Fault) -> Response:
        if fault.action == "malformed":
            return Response(200, MALFORMED_BODY, {"Content-Type": "application/json"})
        if fault.action == "secondary":
            return self._dialect.secondary_limited(fault.status, math.ceil(fault.seconds))
        if fault.body is not None:
            return Response(fault.status, fault.body, {"Content-Type": "text/html"})
        return json_response(self._dialect.error_body(fault.status, None), fault.status)

    def _route(self, method: str, target: str, headers: Any) -> Response:
        raw_path = target.partition("?")[0]
        prefix = self._dialect.PREFIX
        path = raw_path[len(prefix) :] if raw_path.startswith(prefix + "/") else None
        try:
            if path is None:
                raise ApiError(404)
            if len(path) > 1:
                path = path.rstrip("/")
            if method not in ("GET", "HEAD"):
                raise ApiError(405)
            req = Request(self, method, target, headers, path)
            for pattern, handler in self._dialect.ROUTES:
                match = pattern.fullmatch(path)
                if match:
                    result = handler(req, *(unquote(group) for group in match.groups()))
                    break
            else:
                raise ApiError(404)
            response = result if isinstance(result, Response) else json_response(result)
        except ApiError as exc:
            return json_response(self._dialect.error_body(exc.status, exc.message), exc.status)
        except Exception:
            traceback.print_exc()
            return json_response(self._dialect.error_body(500, None), 500)
        if response.status == 200:
            response.headers.setdefault("ETag", f'"{sha1(response.body)}"')
        return response


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real forges
    disable_nagle_algorithm = True  # else headers then body wait for a delayed ACK (~40 ms)
    server_version = "FakeForge/1.0"
    sys_version = ""
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.server.forge._serve(self.command, self.path, self.headers, body)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.status != 304:
            self.wfile.write(response.body)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: see ``FakeForge.requests``."""


class _Server(TrackingHTTPServer):
    thread_name = "fakeforge-connection"

    def __init__(self, address: tuple[str, int], forge: FakeForge):
        self.forge = forge
        super().__init__(address, _Handler)
