"""The FakeRegistry server: routes per registry, ETags, faults, request log."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote
from xml.sax.saxutils import escape

from tests.fakehttp import FakeRequestHandler, FakeServer, ServedFake

# registry -> (prefix, ecosystem as the settings name it)
REGISTRIES = {
    "npm": ("/npm", "npm"),
    "pypi": ("/pypi", "pypi"),
    "packagist": ("/packagist", "composer"),
    "crates": ("/crates", "cargo"),
    "rubygems": ("/rubygems", "gem"),
    "maven": ("/maven-search", "maven"),
    "maven-repository": ("/maven2", None),
}
# Raw (still percent-encoded) paths: each name is one segment, [^/]+.
_ROUTES = (
    ("npm", re.compile(r"^/npm/(?P<name>[^/]+)$")),
    ("pypi", re.compile(r"^/pypi/pypi/(?P<name>[^/]+)/json$")),
    ("packagist", re.compile(r"^/packagist/packages/(?P<vendor>[^/]+)/(?P<name>[^/]+)\.json$")),
    ("crates", re.compile(r"^/crates/api/v1/crates/(?P<name>[^/]+)$")),
    ("rubygems", re.compile(r"^/rubygems/api/v1/gems/(?P<name>[^/]+)\.json$")),
    ("maven", re.compile(r"^/maven-search/solrsearch/select$")),
    ("maven-repository", re.compile(r"^/maven2/(?P<path>.+)/(?P<file>[^/]+\.pom)$")),
)
_SEARCH = re.compile(r'^g:"(?P<g>[^"]+)" AND a:"(?P<a>[^"]+)"$')
MALFORMED_BODY = b'{"name": "truncated", "repository": {"url": "https://github.com/'


class LoggedRequest(NamedTuple):
    method: str
    path: str  # as received, without the query (still percent-encoded)
    query: dict[str, str]
    headers: dict[str, str]
    status: int
    registry: str  # a key of REGISTRIES, or "other"
    name: str  # the package name the path decodes to ("" if none)


@dataclass
class _Fault:
    action: str  # "fail" | "delay" | "malformed"
    times: int
    registry: str | None
    status: int = 0
    seconds: float = 0.0
    headers: dict[str, str] | None = None


@dataclass
class _Response:
    status: int
    body: bytes
    headers: dict[str, str]


def _json(data: Any, status: int = 200) -> _Response:
    body = json.dumps(data, ensure_ascii=False).encode()
    return _Response(status, body, {"Content-Type": "application/json"})


def pom(group: str, artifact: str, version: str, *, scm_url: str | None = None) -> bytes:
    scm = f"<scm><url>{escape(scm_url)}</url></scm>" if scm_url else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<project xmlns="http://maven.apache.org/POM/4.0.0">'
        f"<modelVersion>4.0.0</modelVersion><groupId>{escape(group)}</groupId>"
        f"<artifactId>{escape(artifact)}</artifactId><version>{escape(version)}</version>"
        f"{scm}</project>"
    ).encode()


class FakeRegistry(ServedFake):
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, latency: float = 0):
        self._init_lifecycle(host, port)
        self.latency = latency
        # (registry, name) -> document (dict) or POM bytes (maven-repository, by path)
        self.documents: dict[tuple[str, str], Any] = {}
        self.requests: list[LoggedRequest] = []
        self._faults: list[_Fault] = []
        self._lock = threading.RLock()

    def _make_server(self):
        return _Server((self.host, self._port), self)

    @property
    def _thread_name(self) -> str:
        return "fakeregistry"

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, registry: str) -> str:
        return self.base + REGISTRIES[registry][0]

    def urls(self) -> dict[str, str]:
        """settings.REGISTRY_URLS pointing at this fake."""
        return {eco: self.url(key) for key, (_p, eco) in REGISTRIES.items() if eco}

    @property
    def maven_repository_url(self) -> str:
        return self.url("maven-repository")

    # --- data ---------------------------------------------------------------------------

    def add_npm(self, name: str, *, repository: Any = None, latest: str = "1.0.0") -> None:
        document = {
            "_id": name,
            "name": name,
            "dist-tags": {"latest": latest},
            "versions": {latest: {"name": name, "version": latest}},
        }
        if repository is not None:
            document["repository"] = repository
        self._add("npm", name, document)

    def add_pypi(
        self,
        name: str,
        *,
        project_urls: dict | None = None,
        home_page: str = "",
        version: str = "1.0.0",
    ) -> None:
        info = {
            "name": name,
            "version": version,
            "home_page": home_page,
            "project_urls": project_urls,
        }
        self._add("pypi", name, {"info": info, "releases": {version: []}})

    def add_packagist(self, name: str, *, repository: str = "", versions=("1.0.0",)) -> None:
        package = {
            "name": name,
            "repository": repository,
            "versions": {v: {"name": name, "version": v} for v in versions},
        }
        self._add("packagist", name, {"package": package})

    def add_crate(
        self, name: str, *, repository: str | None = None, version: str = "1.0.0", homepage=None
    ) -> None:
        crate = {
            "id": name,
            "name": name,
            "repository": repository,
            "homepage": homepage,
            "max_version": version,
            "max_stable_version": version,
        }
        self._add("crates", name, {"crate": crate, "versions": []})

    def add_gem(
        self, name: str, *, source_code_uri=None, homepage_uri=None, version: str = "1.0.0"
    ) -> None:
        self._add(
            "rubygems",
            name,
            {
                "name": name,
                "version": version,
                "source_code_uri": source_code_uri,
                "homepage_uri": homepage_uri,
            },
        )

    def add_maven(
        self, group: str, artifact: str, *, version: str = "1.0.0", scm_url: str | None = None
    ) -> None:
        doc = {"id": f"{group}:{artifact}", "g": group, "a": artifact, "latestVersion": version}
        self._add("maven", f"{group}:{artifact}", doc)
        path = "/".join(group.split(".")) + f"/{artifact}/{version}/{artifact}-{version}.pom"
        self._add("maven-repository", path, pom(group, artifact, version, scm_url=scm_url))

    def _add(self, registry: str, name: str, document: Any) -> None:
        with self._lock:
            self.documents[(registry, name)] = document

    # --- log and faults -------------------------------------------------------------------

    def count(self, registry: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if registry is None or r.registry == registry)

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def fail_next(self, status=503, times=1, *, registry=None, headers=None) -> None:
        self._add_fault(_Fault("fail", times, registry, status=status, headers=headers))

    def delay_next(self, seconds: float, times=1, *, registry=None) -> None:
        self._add_fault(_Fault("delay", times, registry, seconds=seconds))

    def malformed_next(self, times=1, *, registry=None) -> None:
        self._add_fault(_Fault("malformed", times, registry))

    def _add_fault(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, registry: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.registry in (None, registry):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # --- serving --------------------------------------------------------------------------

    def _serve(self, method: str, target: str, headers: Any, body: bytes) -> _Response:
        raw_path, _, query = target.partition("?")
        params = dict(parse_qsl(query, keep_blank_values=True))
        registry, match = "other", None
        for name, pattern in _ROUTES:
            if match := pattern.match(raw_path):
                registry = name
                break
        groups = {k: unquote(v) for k, v in (match.groupdict() if match else {}).items()}
        lowered = {key.lower(): value for key, value in headers.items()}
        fault = self._take_fault(registry) if registry != "other" else None
        if self.latency:
            self._stopping.wait(self.latency)
        if fault is not None and fault.action == "delay":
            self._stopping.wait(fault.seconds)
            fault = None
        name = ""
        if fault is not None and fault.action == "fail":
            response = _Response(
                fault.status,
                f"<html><body>{fault.status}</body></html>".encode(),
                {"Content-Type": "text/html"} | (fault.headers or {}),
            )
        elif fault is not None:
            response = _Response(200, MALFORMED_BODY, {"Content-Type": "application/json"})
        elif method not in ("GET", "HEAD"):
            response = _json({"error": "method not allowed"}, 405)
        else:
            name, response = self._route(registry, groups, params, lowered)
            if response.status == 200:
                etag = '"' + hashlib.sha256(response.body).hexdigest()[:24] + '"'
                response.headers["ETag"] = etag
                if lowered.get("if-none-match") == etag:
                    response = _Response(304, b"", {"ETag": etag})
        with self._lock:
            self.requests.append(
                LoggedRequest(method, raw_path, params, lowered, response.status, registry, name)
            )
        return response

    def _route(self, registry, groups, params, headers) -> tuple[str, _Response]:
        if registry == "other":
            return "", _json({"error": "Not found"}, 404)
        if registry == "crates" and not headers.get("user-agent"):
            return groups["name"], _json({"errors": [{"detail": "We require a User-Agent"}]}, 403)
        if registry == "packagist":
            name = f"{groups['vendor']}/{groups['name']}"
        elif registry == "maven":
            found = _SEARCH.match(params.get("q", ""))
            name = f"{found['g']}:{found['a']}" if found else ""
            doc = self.documents.get(("maven", name))
            docs = [doc] if doc else []
            return name, _json(
                {"responseHeader": {"status": 0}, "response": {"numFound": len(docs), "docs": docs}}
            )
        elif registry == "maven-repository":
            name = f"{groups['path']}/{groups['file']}"
            content = self.documents.get((registry, name))
            if content is None:
                return name, _Response(404, b"Not Found", {"Content-Type": "text/plain"})
            return name, _Response(200, content, {"Content-Type": "application/xml"})
        else:
            name = groups["name"]
        document = self.documents.get((registry, name))
        if document is None:
            return name, _json(
                {"error": "Not found"}
                if registry != "crates"
                else {"errors": [{"detail": "Not Found"}]},
                404,
            )
        return name, _json(document)


class _Handler(FakeRequestHandler):
    server_version = "FakeRegistry/1.0"


class _Server(FakeServer):
    thread_name = "fakeregistry-connection"

    def __init__(self, address, fake: FakeRegistry):
        super().__init__(address, fake, _Handler)
