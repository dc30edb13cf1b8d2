"""The FakeWikidata server: entity store, wbgetentities, request log, faults."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from tests.fakehttp import FakeRequestHandler, FakeServer, ServedFake

from .entities import DEFAULT_PROPS, build_entity, serialise

API_PATH = "/w/api.php"
MAX_IDS = 50  # wbgetentities' limit for clients without the apihighlimits right
MALFORMED_BODY = b'{"entities":{"Q1":{"type":"item","id":"Q1","labels":{"fr":{"lang'
_ENTITY_ID = re.compile(r"[QPL][1-9][0-9]*")


class LoggedRequest(NamedTuple):
    method: str
    path: str  # path with its query string, as received
    params: dict[str, str]  # the query, decoded
    user_agent: str
    status: int

    @property
    def ids(self) -> list[str]:
        """The ids a wbgetentities request asked for (empty for other requests)."""
        if self.params.get("action") != "wbgetentities":
            return []
        return [part for part in self.params.get("ids", "").split("|") if part]


@dataclass
class _Fault:
    action: str  # "fail" | "malformed" | "delay" | "api_error"
    times: int
    entity: str | None  # only requests asking for this id
    status: int = 0
    seconds: float = 0.0
    code: str = ""
    info: str = ""
    headers: dict[str, str] | None = None

    def matches(self, ids: list[str]) -> bool:
        return self.entity is None or self.entity in ids


@dataclass
class _Response:
    status: int
    body: bytes
    headers: dict[str, str]


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> _Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return _Response(
        status, body, {"Content-Type": "application/json; charset=utf-8"} | (headers or {})
    )


def _api_error(code: str, info: str, **extra: Any) -> _Response:
    # The Action API reports errors in a 200 response, with a MediaWiki-API-Error header.
    error = {"code": code, "info": info} | extra
    error["*"] = "See https://www.wikidata.org/w/api.php for API usage."
    return _json({"error": error, "servedby": "fakewikidata"}, 200, {"MediaWiki-API-Error": code})


class FakeWikidata(ServedFake):
    """A fake Wikidata Action API served over HTTP on 127.0.0.1 (see the package docs)."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0):
        self._init_lifecycle(host, port)
        self.latency = latency
        self.requests: list[LoggedRequest] = []
        self._entities: dict[str, dict] = {}
        self._redirects: dict[str, str] = {}
        self._faults: list[_Fault] = []
        self._lock = threading.RLock()

    # --- lifecycle --------------------------------------------------------------------------

    def _make_server(self) -> _Server:
        return _Server((self.host, self._port), self)

    @property
    def _thread_name(self) -> str:
        return "fakewikidata"

    @property
    def url(self) -> str:
        """The API endpoint, what WIKIDATA_API_URL is set to: http://127.0.0.1:PORT/w/api.php"""
        return f"http://{self.host}:{self.port}{API_PATH}"

    # --- data -------------------------------------------------------------------------------

    def add_entity(self, qid: str, **fields: Any) -> dict:
        """Store an item (replacing one with that id) and return its JSON, which stays live:
        edit it in place and the next answers show the edit. Fields: see `build_entity`."""
        if not re.fullmatch(r"Q[1-9][0-9]*", qid):
            raise ValueError(f"not an item id: {qid!r}")
        entity = build_entity(qid, **fields)
        with self._lock:
            self._entities[qid] = entity
            self._redirects.pop(qid, None)
        return entity

    def set_entity(self, qid: str, entity: dict) -> None:
        """Store hand-written JSON as is (for odd shapes `build_entity` does not make)."""
        with self._lock:
            self._entities[qid] = entity

    def remove_entity(self, qid: str) -> None:
        """The item is deleted: it is then answered as missing."""
        with self._lock:
            self._entities.pop(qid, None)

    def redirect(self, source: str, target: str) -> None:
        """`source` was merged into `target`: asking for it answers `target`'s item."""
        with self._lock:
            self._entities.pop(source, None)
            self._redirects[source] = target

    def entity(self, qid: str) -> dict:
        return self._entities[qid]

    # --- log --------------------------------------------------------------------------------

    @property
    def batches(self) -> list[list[str]]:
        """The ids of each wbgetentities request, in order (retries included)."""
        with self._lock:
            return [request.ids for request in self.requests if request.ids]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- faults -----------------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 503,
        times: int = 1,
        *,
        entity: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next `times` requests (asking for `entity`, if given) get HTTP `status`."""
        self._add_fault(_Fault("fail", times, entity, status=status, headers=headers))

    def malformed_next(self, times: int = 1, *, entity: str | None = None) -> None:
        """The next `times` requests get a 200 with truncated JSON."""
        self._add_fault(_Fault("malformed", times, entity))

    def delay_next(self, seconds: float, times: int = 1, *, entity: str | None = None) -> None:
        """The next `times` requests are answered after `seconds` (client read timeouts)."""
        self._add_fault(_Fault("delay", times, entity, seconds=seconds))

    def api_error_next(
        self,
        code: str = "internal_api_error_DBQueryError",
        info: str = "A database query error has occurred.",
        times: int = 1,
        *,
        entity: str | None = None,
    ) -> None:
        """The next `times` requests get an Action API error (HTTP 200, {"error": …})."""
        self._add_fault(_Fault("api_error", times, entity, code=code, info=info))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add_fault(self, fault: _Fault) -> None:
        if fault.times > 0:
            with self._lock:
                self._faults.append(fault)

    def _take_fault(self, ids: list[str]) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(ids):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # --- request handling -------------------------------------------------------------------

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _serve(self, method: str, target: str, headers: Any, body: bytes) -> _Response:
        self._sleep(self.latency)
        split = urlsplit(target)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        if method == "POST" and body:
            params |= dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        logged = LoggedRequest(method, target, params, headers.get("User-Agent", ""), 0)
        fault = self._take_fault(logged.ids)
        if fault is not None and fault.action == "delay":
            self._sleep(fault.seconds)
            fault = None
        with self._lock:
            if fault is not None:
                response = self._fault_response(fault)
            elif split.path != API_PATH:
                response = _Response(404, b"Not Found", {"Content-Type": "text/plain"})
            elif method not in ("GET", "POST"):
                response = _Response(405, b"Method Not Allowed", {"Content-Type": "text/plain"})
            else:
                response = self._route(params)
            self.requests.append(logged._replace(status=response.status))
        return response

    def _fault_response(self, fault: _Fault) -> _Response:
        if fault.action == "malformed":
            return _Response(200, MALFORMED_BODY, {"Content-Type": "application/json"})
        if fault.action == "api_error":
            return _api_error(fault.code, fault.info)
        # Wikimedia's front end answers errors with an HTML page.
        body = f"<!DOCTYPE html><html><body><h1>Error {fault.status}</h1></body></html>"
        return _Response(
            fault.status, body.encode(), {"Content-Type": "text/html"} | (fault.headers or {})
        )

    def _route(self, params: dict[str, str]) -> _Response:
        action = params.get("action", "")
        if params.get("format") != "json":
            return _Response(
                200,
                b'<?xml version="1.0"?><api><error code="format"/></api>',
                {"Content-Type": "text/xml"},
            )
        if action != "wbgetentities":
            return _api_error("badvalue", f'Unrecognized value for parameter "action": {action}.')
        return self._wbgetentities(params)

    def _wbgetentities(self, params: dict[str, str]) -> _Response:
        ids = [part for part in params.get("ids", "").split("|") if part]
        if not ids:
            return _api_error(
                "param-missing",
                'Either provide the item "ids" or pairs of '
                '"sites" and "titles" for corresponding pages.',
            )
        if len(ids) > MAX_IDS:
            return _api_error(
                "toomanyvalues",
                f'Too many values supplied for parameter "ids". The limit is {MAX_IDS}.',
                limit=MAX_IDS,
                lowlimit=MAX_IDS,
                highlimit=500,
            )
        for entity_id in ids:
            if not _ENTITY_ID.fullmatch(entity_id):
                return _api_error(
                    "no-such-entity",
                    f'Could not find an entity with the ID "{entity_id}".',
                    id=entity_id,
                )
        props = [prop for prop in params.get("props", "").split("|") if prop] or DEFAULT_PROPS
        languages = set(params["languages"].split("|")) if params.get("languages") else None
        sites = set(params["sitefilter"].split("|")) if params.get("sitefilter") else None
        entities: dict[str, dict] = {}
        for entity_id in ids:
            target = self._redirects.get(entity_id, entity_id)
            stored = self._entities.get(target)
            if stored is None:
                entities[entity_id] = {"id": entity_id, "missing": ""}
                continue
            entity = serialise(stored, props=props, languages=languages, sites=sites)
            if target != entity_id:
                entity["redirects"] = {"from": entity_id, "to": target}
            entities[entity_id] = entity
        return _json({"entities": entities, "success": 1})


class _Handler(FakeRequestHandler):
    server_version = "FakeWikidata/1.0"


class _Server(FakeServer):
    thread_name = "fakewikidata-connection"

    def __init__(self, address: tuple[str, int], fake: FakeWikidata):
        super().__init__(address, fake, _Handler)
