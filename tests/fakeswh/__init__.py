"""A fake Software Heritage Web API over real HTTP on 127.0.0.1, to test archival offline.

Standard library only; the server runs in a daemon thread. Under ``/api/1/`` it answers
like archive.softwareheritage.org (errors as ``{"exception": …, "reason": …}``):

- ``GET origin/<origin url>/visit/latest/[?require_snapshot=true]``: the latest visit (by
  date), or the latest with a snapshot; 404 ``NotFoundExc`` "Origin with url … not
  found!" or "No visit for origin with url … found!". The origin URL may come raw (as
  SWH clients send it) or percent-encoded; a "//" collapsed to "/" is restored.
- ``POST known/`` with a JSON array of core SWHIDs: ``{swhid: {"known": bool}}``; 400
  ``BadInputExc`` for a body that is not an array or an invalid SWHID, 413
  ``LargePayloadExc`` for more than 1000.
- ``POST origin/save/<git|hg|svn>/url/<origin url>/`` (Save Code Now): the request's
  JSON; an unfinished request for that origin is returned again rather than duplicated;
  400 for a URL that is not http(s), 403 ``ForbiddenExc`` for a refused prefix.
- ``GET origin/save/<id>/``: the request's JSON as it is now (404 if unknown).

Every answer carries ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` (epoch seconds) from
its group's budget, "save" (POST origin/save/…) or "default" (the rest); each request
spends one; an empty budget answers 429 ``Throttled`` without Retry-After, like swh-web,
until the reset time passes or the test sets the budget again.

Usage::

    from tests.fakeswh import FakeSoftwareHeritage, visit

    @pytest.fixture
    def swh(settings):
        with FakeSoftwareHeritage() as server:  # start() ... stop()
            settings.SWH_API_URL = server.url  # "http://127.0.0.1:PORT/api/1/"
            yield server

    def test_archive_status(swh):
        swh.add_origin("https://github.com/o/r", visits=[
            visit(date="2024-05-02T10:00:00+00:00", status="full", snapshot="ab" * 20),
            visit(date="2024-06-01T10:00:00+00:00", status="failed"),
        ])
        ...
        assert swh.count("visit_latest") == 1
        assert swh.requests[0].headers["authorization"] == "Bearer token"

``FakeSoftwareHeritage(latency=0.1)`` answers every request that much later (benchmarks).

Always stop a started server (``with``, or ``stop()`` in a fixture's teardown): it closes
the listening socket and open connections, which the suite's warnings-as-errors needs.

Data:
    ``add_origin(url, visits=[visit(date=…, status="full", snapshot=hex | None,
    type="git") or dicts of those arguments])`` replaces the origin; ``add_visit(url,
    date=None, status="full", snapshot=None, type="git")`` appends one (date: ISO 8601
    text or datetime, default now; visits are numbered in the order added); ``origins``:
    url -> list of `Visit`. ``add_known(*swhids)``, ``add_known_revision(*shas)``;
    ``known``: the set. Save Code Now: ``save_decision = "accepted"`` (task "not yet
    scheduled") or ``"pending"`` (manual review, task "not created") or ``"rejected"``
    (403); ``refuse_prefix(prefix)``; ``saves``: id -> `SaveRequest`;
    ``advance_save(id, task_status, *, visit_status=None, snapshot=None, visit_date=None,
    record_visit=False, request_status=None, note=None)`` (``record_visit``: add the
    visit to the origin too). ``set_rate_limit(group, limit, remaining=None,
    reset_at=None)``; ``rate_limits``: group -> `RateBudget`.

Log:
    ``requests``: ``LoggedRequest(method, path, origin_url, query, headers, body, status,
    kind)`` (path as received, without the query; headers with lower-case names; kind:
    "visit_latest", "known", "save", "save_status" or "other"); ``count(kind=None)``;
    ``reset_log()``.

Faults (queued, consumed in order, one per request; ``origin``: only requests about that
origin URL; a throttled request consumes none):
    ``fail_next(status=503, times=1, *, origin=None, headers=None, body=None, kind=None)``:
    an HTML error page (or ``body``) with that status (``kind``: only requests of that
    kind, e.g. ``"known"``).
    ``malformed_next(times=1, *, origin=None)``: 200 with truncated JSON.
    ``delay_next(seconds, times=1, *, origin=None)``: answer late (read timeouts); ``stop()``
    wakes it up.
    ``rate_limit_next(reset_at, times=1, *, origin=None)``: 429 with
    X-RateLimit-Remaining: 0 and X-RateLimit-Reset: reset_at, no Retry-After.
    ``redirect_next(location, status=302, times=1, *, origin=None)``: a redirect, e.g. to
    a second instance's URL, to check that a client does not forward its token to another
    host (another port is another origin for ``requests``, which drops Authorization).
    ``clear_faults()``.
"""

from .archive import MAX_KNOWN, SWHID, RateBudget, SaveRequest, Visit, visit
from .server import FakeSoftwareHeritage, LoggedRequest

__all__ = [
    "MAX_KNOWN",
    "SWHID",
    "FakeSoftwareHeritage",
    "LoggedRequest",
    "RateBudget",
    "SaveRequest",
    "Visit",
    "visit",
]
