"""Fake package registries over real HTTP on 127.0.0.1, to test the registry check offline.

One server (tests.fakehttp) answers for every registry, each under its own prefix, with
the real registries' paths and document shapes:

- npm ``GET /npm/<name>`` (a scoped name as ``@scope%2Fname``): ``{"name", "dist-tags":
  {"latest"}, "repository": "…" | {"type": "git", "url": "…"}, "versions": {…}}``.
- PyPI ``GET /pypi/pypi/<name>/json``: ``{"info": {"name", "version", "home_page",
  "project_urls": {label: url} | null}, "releases": {…}}``.
- Packagist ``GET /packagist/packages/<vendor>/<name>.json``: ``{"package": {"name",
  "repository", "versions": {"1.2.0": {…}, "dev-main": {…}}}}``.
- Cargo's crate registry ``GET /crates/api/v1/crates/<name>``: ``{"crate": {"name", "repository",
  "homepage", "max_version", "max_stable_version"}}``; 403 without a User-Agent, as the
  real one.
- RubyGems ``GET /rubygems/api/v1/gems/<name>.json``: ``{"name", "version",
  "source_code_uri", "homepage_uri"}``.
- Maven Central search ``GET /maven-search/solrsearch/select?q=g:"…" AND a:"…"&wt=json``:
  ``{"response": {"numFound", "docs": [{"id", "g", "a", "latestVersion"}]}}``; the
  repository ``GET /maven2/<group path>/<artifact>/<version>/<artifact>-<version>.pom``:
  the POM (XML, with ``<scm><url>``).

Every document has an ETag (a hash of its body); a request with that ETag in
If-None-Match gets a 304. An unknown package is a 404 (with each registry's own body).
A name is read from one percent-encoded path segment: a path with more segments than the
route has is a 404 of kind "other", so a client that let a name escape its segment shows
in the log.

Usage::

    with FakeRegistry() as registry:
        settings.REGISTRY_URLS = registry.urls()
        settings.REGISTRY_MAVEN_REPOSITORY_URL = registry.maven_repository_url
        registry.add_npm("@etalab/foo", repository="git+https://github.com/etalab/foo.git")
        ...
        assert registry.count("npm") == 1

Faults (queued, one per request, ``registry``: only that registry's requests):
``fail_next(status=503, times=1, *, registry=None, headers=None)`` (a 429 with
``headers={"Retry-After": "60"}``), ``delay_next(seconds, times=1, *, registry=None)``,
``malformed_next(times=1, *, registry=None)``. ``latency``: seconds every answer takes.
Log: ``requests`` (``LoggedRequest(method, path, query, headers, status, registry,
name)``; path as received, still percent-encoded; headers with lower-case names),
``count(registry=None)``, ``reset_log()``.
"""

from .server import REGISTRIES, FakeRegistry, LoggedRequest

__all__ = ["REGISTRIES", "FakeRegistry", "LoggedRequest"]
