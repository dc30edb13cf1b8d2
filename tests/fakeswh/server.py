"""The FakeSoftwareHeritage server: routes, rate-limit budgets, request log, faults."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.fakehttp import FakeRequestHandler, FakeServer, ServedFake

from .archive import (
    DEFAULT_LIMITS,
    MAX_KNOWN,
    REQUEST_STATUSES,
    SWHID,
    TASK_STATUSES,
    VISIT_STATUSES,
    RateBudget,
    SaveRequest,
    Visit,
    as_datetime,
    as_visit,
    snapshot_hex,
    visit,
)

API_PATH = "/api/1/"
MALFORMED_BODY = b'{"origin":"https://github.com/o/r","visit":3,"date":"2024-05-02T10:'
SAVE_TYPES = ("git", "hg", "svn")
# Paths are matched once percent-decoded; origin URLs come raw or encoded after origin/.
_ROUTES = (
    ("save_status", re.compile(r"^/api/1/origin/save/(?P<id>[0-9]+)/$")),
    ("save", re.compile(r"^/api/1/origin/save/(?P<type>[^/]+)/url/(?P<url>.+)/$")),
    ("visit_latest", re.compile(r"^/api/1/origin/(?P<url>.+)/visit/latest/$")),
    ("known", re.compile(r"^/api/1/known/$")),
)
_METHODS = {"save_status": "GET", "save": "POST", "visit_latest": "GET", "known": "POST"}
KINDS = (*_METHODS, "other")


class LoggedRequest(NamedTuple):
    method: str
    path: str  # as received, without the query string (still percent-encoded, if it was)
    origin_url: str | None  # the origin URL of origin/… paths, decoded
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names: headers["authorization"]
    body: bytes
    status: int
    kind: str = "other"  # "visit_latest" | "known" | "save" | "save_status" | "other"

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


@dataclass
class _Fault:
    action: str  # "fail" | "malformed" | "delay" | "rate_limit" | "redirect"
    times: int
    origin: str | None  # only requests about this origin URL
    status: int = 0
    seconds: float = 0.0
    reset_at: int = 0
    location: str = ""
    headers: dict[str, str] | None = None
    body: bytes | None = None
    kind: str | None = None  # only requests of this kind ("known", "save"…)


@dataclass
class _Response:
    status: int
    body: bytes
    headers: dict[str, str]


def _json(data: Any, status: int = 200) -> _Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return _Response(status, body, {"Content-Type": "application/json"})


def _error(status: int, exception: str, reason: str) -> _Response:
    """swh-web's error shape: {"exception": class name, "reason": message}."""
    return _json({"exception": exception, "reason": reason}, status)


def _origin_from_path(url: str) -> str:
    # Proxies and some HTTP stacks collapse "//" in paths: "https:/x" means "https://x".
    return re.sub(r"^([a-z][a-z0-9+.-]*):/+", r"\1://", url)


def _is_valid_origin(url: str) -> bool:
    split = urlsplit(url)
    return (
        split.scheme in ("http", "https")
        and url.startswith(f"{split.scheme}://")
        and bool(split.hostname)
        and not re.search(r"\s", url)
    )


class FakeSoftwareHeritage(ServedFake):
    """A fake Software Heritage Web API served over HTTP on 127.0.0.1 (see the package docs)."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, latency: float = 0):
        self._init_lifecycle(host, port)
        # Seconds every answer takes (benchmarks: a real archive is a network away).
        self.latency = latency
        self.origins: dict[str, list[Visit]] = {}
        self.known: set[str] = set()
        self.saves: dict[int, SaveRequest] = {}
        self.save_decision = "accepted"  # or "pending" (manual review) or "rejected"
        self.refused_prefixes: list[str] = []
        self.rate_limits = {group: RateBudget.fresh(n) for group, n in DEFAULT_LIMITS.items()}
        self.requests: list[LoggedRequest] = []
        self._faults: list[_Fault] = []
        self._lock = threading.RLock()

    # --- lifecycle --------------------------------------------------------------------------

    def _make_server(self) -> _Server:
        return _Server((self.host, self._port), self)

    @property
    def _thread_name(self) -> str:
        return "fakeswh"

    @property
    def url(self) -> str:
        """The API base, with its trailing slash: http://127.0.0.1:PORT/api/1/"""
        return f"http://{self.host}:{self.port}{API_PATH}"

    # --- data -------------------------------------------------------------------------------

    def add_origin(self, url: str, visits: Iterable[Visit | dict] = ()) -> list[Visit]:
        """Store an origin (replacing one with that URL) with its visits, numbered 1, 2, …
        in the order given; visits: `visit(...)` or dicts of its arguments."""
        with self._lock:
            self.origins[url] = []
            for item in visits:
                self._append_visit(url, as_visit(item))
            return self.origins[url]

    def add_visit(
        self,
        url: str,
        date: datetime | str | None = None,
        status: str = "full",
        snapshot: str | None = None,
        type: str = "git",
    ) -> Visit:
        """Record one more visit of `url` (the origin is created if need be)."""
        with self._lock:
            return self._append_visit(url, visit(date, status, snapshot, type))

    def _append_visit(self, url: str, new: Visit) -> Visit:
        visits = self.origins.setdefault(url, [])
        new.visit = len(visits) + 1
        visits.append(new)
        return new

    def add_known(self, *swhids: str) -> None:
        """These SWHIDs are archived: POST known/ answers {"known": true} for them."""
        for swhid in swhids:
            if not SWHID.match(swhid):
                raise ValueError(f"not a core SWHID: {swhid!r}")
        with self._lock:
            self.known.update(swhids)

    def add_known_revision(self, *shas: str) -> None:
        """These commits are archived (as swh:1:rev:<sha>)."""
        self.add_known(*(f"swh:1:rev:{sha}" for sha in shas))

    def refuse_prefix(self, prefix: str) -> None:
        """Save requests for origins starting with `prefix` get 403 (swh-web's blocklist)."""
        with self._lock:
            self.refused_prefixes.append(prefix)

    def advance_save(
        self,
        request_id: int,
        task_status: str,
        *,
        visit_status: str | None = None,
        snapshot: str | None = None,
        visit_date: datetime | str | None = None,
        record_visit: bool = False,
        request_status: str | None = None,
        note: str | None = None,
    ) -> SaveRequest:
        """Move a save request along, as the archive's scheduler and loader would.

        A pending request that gets a task status other than "not created" becomes
        accepted. "succeeded" sets visit_status "full" unless given; a visit status sets
        the visit date (now unless given). `record_visit` also adds that visit to the
        origin, so that visit/latest finds it. `snapshot`: 40 hex digits or a SWHID.
        """
        if task_status not in TASK_STATUSES:
            raise ValueError(f"unknown save task status: {task_status!r}")
        if request_status is not None and request_status not in REQUEST_STATUSES:
            raise ValueError(f"unknown save request status: {request_status!r}")
        if task_status == "succeeded" and visit_status is None:
            visit_status = "full"
        if visit_status is not None and visit_status not in VISIT_STATUSES:
            raise ValueError(f"unknown visit status: {visit_status!r}")
        with self._lock:
            save = self.saves[request_id]
            save.save_task_status = task_status
            if request_status is not None:
                save.save_request_status = request_status
            elif save.save_request_status == "pending" and task_status != "not created":
                save.save_request_status = "accepted"
            if visit_status is not None:
                save.visit_status = visit_status
                save.visit_date = as_datetime(visit_date)
            if snapshot is not None:
                save.snapshot = snapshot_hex(snapshot)
            if note is not None:
                save.note = note
            if record_visit:
                self._append_visit(
                    save.origin_url,
                    Visit(
                        save.visit_date or as_datetime(visit_date),
                        save.visit_status or "full",
                        save.snapshot,
                        save.visit_type,
                    ),
                )
            return save

    def set_rate_limit(
        self, group: str, limit: int, remaining: int | None = None, reset_at: int | None = None
    ) -> RateBudget:
        """Set a group's budget ("default": visit/latest, known, save status; "save": POST
        origin/save/…). It refills at `reset_at` (epoch seconds, default in an hour)."""
        if group not in DEFAULT_LIMITS:
            raise ValueError(f"unknown rate-limit group: {group!r}")
        budget = RateBudget.fresh(limit)
        if remaining is not None:
            budget.remaining = remaining
        if reset_at is not None:
            budget.reset_at = int(reset_at)
        with self._lock:
            self.rate_limits[group] = budget
        return budget

    # --- log --------------------------------------------------------------------------------

    def count(self, kind: str | None = None) -> int:
        """How many requests of that kind (all, if None) were received, retries included."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown request kind: {kind!r} (one of {', '.join(KINDS)})")
        with self._lock:
            return sum(1 for r in self.requests if kind is None or r.kind == kind)

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- faults -----------------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 503,
        times: int = 1,
        *,
        origin: str | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
        kind: str | None = None,
    ) -> None:
        """The next `times` requests (about `origin`, of `kind`, if given) get HTTP
        `status`, with an HTML page unless `body` is given."""
        if isinstance(body, str):
            body = body.encode()
        self._add_fault(
            _Fault("fail", times, origin, status=status, headers=headers, body=body, kind=kind)
        )

    def malformed_next(self, times: int = 1, *, origin: str | None = None) -> None:
        """The next `times` requests get a 200 with truncated JSON."""
        self._add_fault(_Fault("malformed", times, origin))

    def delay_next(self, seconds: float, times: int = 1, *, origin: str | None = None) -> None:
        """The next `times` requests are answered after `seconds` (client read timeouts);
        `stop()` wakes them up."""
        self._add_fault(_Fault("delay", times, origin, seconds=seconds))

    def rate_limit_next(
        self, reset_at: float, times: int = 1, *, origin: str | None = None
    ) -> None:
        """The next `times` requests get 429 Throttled with X-RateLimit-Remaining: 0 and
        X-RateLimit-Reset: `reset_at` (epoch seconds), and no Retry-After, as swh-web does.
        The budgets are left as they are."""
        self._add_fault(_Fault("rate_limit", times, origin, reset_at=int(reset_at)))

    def redirect_next(
        self, location: str, status: int = 302, times: int = 1, *, origin: str | None = None
    ) -> None:
        """The next `times` requests are redirected to `location` (e.g. another instance's
        URL: a client must not forward its Authorization header to another host)."""
        self._add_fault(_Fault("redirect", times, origin, status=status, location=location))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add_fault(self, fault: _Fault) -> None:
        if fault.times > 0:
            with self._lock:
                self._faults.append(fault)

    def _take_fault(self, origin_url: str | None, kind: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.kind not in (None, kind):
                    continue
                if fault.origin is None or fault.origin == origin_url:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # --- request handling -------------------------------------------------------------------

    def _serve(self, method: str, target: str, headers: Any, body: bytes) -> _Response:
        raw_path, _, query = target.partition("?")
        path = unquote(raw_path)
        kind, match = "other", None
        for name, pattern in _ROUTES:
            if match := pattern.match(path):
                kind = name
                break
        params = match.groupdict() if match else {}
        origin_url = _origin_from_path(params["url"]) if "url" in params else None
        logged = LoggedRequest(
            method,
            raw_path,
            origin_url,
            dict(parse_qsl(query, keep_blank_values=True)),
            {name.lower(): value for name, value in headers.items()},
            body,
            0,
            kind,
        )
        with self._lock:
            budget = self.rate_limits["save" if kind == "save" else "default"]
            budget.refill_if_due()
            throttled = budget.remaining <= 0
            if not throttled:
                budget.remaining -= 1
            rate_headers = budget.headers()
        fault = None if throttled else self._take_fault(origin_url, kind)
        if self.latency:
            self._stopping.wait(self.latency)
        if fault is not None and fault.action == "delay":
            self._stopping.wait(fault.seconds)
            fault = None
        with self._lock:
            if throttled:
                response = _error(429, "Throttled", "Request was throttled.")
            elif fault is not None:
                response = self._fault_response(fault, budget)
            elif kind == "other":
                response = _error(404, "NotFoundExc", f"No API endpoint at {path}")
            elif method != _METHODS[kind]:
                response = _error(405, "MethodNotAllowed", f'Method "{method}" not allowed.')
            else:
                response = getattr(self, f"_{kind}")(logged, params)
            response.headers = rate_headers | response.headers
            self.requests.append(logged._replace(status=response.status))
        return response

    def _fault_response(self, fault: _Fault, budget: RateBudget) -> _Response:
        if fault.action == "malformed":
            return _Response(200, MALFORMED_BODY, {"Content-Type": "application/json"})
        if fault.action == "rate_limit":
            response = _error(429, "Throttled", "Request was throttled.")
            response.headers |= budget.headers(remaining=0, reset_at=fault.reset_at)
            return response
        if fault.action == "redirect":
            return _Response(fault.status, b"", {"Location": fault.location})
        body = fault.body
        if body is None:
            body = f"<html><body><h1>{fault.status} Error</h1></body></html>".encode()
        return _Response(fault.status, body, {"Content-Type": "text/html"} | (fault.headers or {}))

    def _visit_latest(self, request: LoggedRequest, params: dict) -> _Response:
        url = request.origin_url
        visits = self.origins.get(url)
        if visits is None:
            return _error(404, "NotFoundExc", f"Origin with url {url} not found!")
        if request.query.get("require_snapshot", "").lower() in ("true", "1"):
            visits = [v for v in visits if v.snapshot]
        if not visits:
            return _error(404, "NotFoundExc", f"No visit for origin with url {url} found!")
        latest = max(visits, key=lambda v: (v.date, v.visit))
        return _json(latest.to_json(url, self.url))

    def _known(self, request: LoggedRequest, params: dict) -> _Response:
        try:
            swhids = json.loads(request.body or b"null")
        except ValueError:
            swhids = None
        if not isinstance(swhids, list):
            return _error(400, "BadInputExc", "The request body must be a JSON array of SWHIDs.")
        if len(swhids) > MAX_KNOWN:
            return _error(
                413,
                "LargePayloadExc",
                f"The maximum number of SWHIDs this endpoint can receive is {MAX_KNOWN}",
            )
        for swhid in swhids:
            if not isinstance(swhid, str) or not SWHID.match(swhid):
                return _error(400, "BadInputExc", f"Invalid SWHID: {swhid}")
        return _json({swhid: {"known": swhid in self.known} for swhid in swhids})

    def _save(self, request: LoggedRequest, params: dict) -> _Response:
        url, visit_type = request.origin_url, params["type"]
        if visit_type not in SAVE_TYPES:
            return _error(
                400,
                "BadInputExc",
                f"Visit of type {visit_type} can not be saved! "
                f"Allowed types are the following: {', '.join(SAVE_TYPES)}",
            )
        if not _is_valid_origin(url):
            return _error(400, "BadInputExc", f"The provided origin url ({url}) is not valid!")
        if self.save_decision == "rejected" or any(
            url.startswith(prefix) for prefix in self.refused_prefixes
        ):
            return _error(
                403,
                "ForbiddenExc",
                'The "save code now" request has been rejected because the provided '
                "origin url is blacklisted.",
            )
        for save in self.saves.values():
            if save.origin_url == url and save.visit_type == visit_type and save.unfinished:
                return _json(save.to_json(self.url))
        accepted = self.save_decision == "accepted"
        save = SaveRequest(
            id=len(self.saves) + 1,
            origin_url=url,
            visit_type=visit_type,
            save_request_status="accepted" if accepted else "pending",
            save_task_status="not yet scheduled" if accepted else "not created",
        )
        self.saves[save.id] = save
        return _json(save.to_json(self.url))

    def _save_status(self, request: LoggedRequest, params: dict) -> _Response:
        save = self.saves.get(int(params["id"]))
        if save is None:
            return _error(404, "NotFoundExc", f"Save request with id {params['id']} not found!")
        return _json(save.to_json(self.url))


class _Handler(FakeRequestHandler):
    server_version = "FakeSoftwareHeritage/1.0"


class _Server(FakeServer):
    thread_name = "fakeswh-connection"

    def __init__(self, address: tuple[str, int], fake: FakeSoftwareHeritage):
        super().__init__(address, fake, _Handler)
