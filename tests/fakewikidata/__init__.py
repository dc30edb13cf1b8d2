"""A fake Wikidata Action API over real HTTP on 127.0.0.1, to test the enrichment offline.

Standard library only; the server runs in a daemon thread. It answers
``action=wbgetentities`` (``ids``, ``props``, ``languages``, ``sitefilter``,
``format=json``) like www.wikidata.org does: entities keyed by the id asked for, unknown
ids as ``{"id": …, "missing": ""}``, redirected ids with ``"redirects": {"from", "to"}``,
API errors as HTTP 200 with ``{"error": {"code", "info"}}`` (more than 50 ids:
``toomanyvalues``; a malformed id: ``no-such-entity``).

Usage::

    from tests.fakewikidata import FakeWikidata

    @pytest.fixture
    def wikidata(settings):
        with FakeWikidata() as server:  # start() ... stop()
            settings.WIKIDATA_API_URL = server.url  # "http://127.0.0.1:PORT/w/api.php"
            yield server

    def test_refresh(wikidata):
        wikidata.add_entity(
            "Q123", label_fr="Logiciel", description_en="office suite",
            website="https://example.org", logo="Example logo.svg",
            license_qid="Q334661", source="https://git.example.org/app",
            versions=[("1.2", "2023-01-01", "normal"), ("1.3", "2024-02-01", "preferred")],
            wikipedia_fr="Logiciel (informatique)",
        )
        ...
        assert wikidata.batches == [["Q123"]]
        assert wikidata.requests[0].user_agent.startswith("codegouv-sill-enrichment")

Always stop a started server (``with``, or ``stop()`` in a fixture's teardown): it closes
the listening socket and open connections, which the suite's warnings-as-errors needs.

Data:
    ``add_entity(qid, **fields)`` -> the stored JSON (live: edit it in place). Fields:
    ``label_fr``, ``label_en``, ``description_fr``, ``description_en``, ``wikipedia_fr``,
    ``wikipedia_en`` (article titles); ``website`` (P856), ``logo`` (P154, a Commons file
    name), ``license_qid`` (P275), ``source`` (P1324): a value, a ``(value, rank)`` pair
    or a list of those; ``versions`` (P348): ``"1.2"`` or ``("1.2", "2023-01-01" or
    "2023-01" or "2023" or None, "preferred" | "normal" | "deprecated")`` items;
    ``claims``: more raw statements by property (build them with
    ``entities.statement``); ``labels``/``descriptions``: other languages.
    ``set_entity(qid, json)`` stores hand-written JSON; ``remove_entity(qid)`` makes it
    missing; ``redirect(source, target)`` merges an item into another; ``entity(qid)``.

Log:
    ``requests``: ``LoggedRequest(method, path, params, user_agent, status)`` with an
    ``ids`` property; ``batches``: the ids of each wbgetentities request, in order,
    retries included; ``reset_log()``.

Faults (queued, consumed in order, one per request; ``entity``: only requests asking for
that id):
    ``fail_next(status=503, times=1, *, entity=None, headers=None)``: an HTML error page
    with that status (``headers``, e.g. ``{"Retry-After": "1"}`` with 429).
    ``malformed_next(times=1, *, entity=None)``: 200 with truncated JSON.
    ``delay_next(seconds, times=1, *, entity=None)``: answer late (read timeouts).
    ``api_error_next(code=…, info=…, times=1, *, entity=None)``: an API error in a 200.
    ``clear_faults()``.
"""

from .entities import build_entity, snak, statement, time_value
from .server import MAX_IDS, FakeWikidata, LoggedRequest

__all__ = [
    "MAX_IDS",
    "FakeWikidata",
    "LoggedRequest",
    "build_entity",
    "snak",
    "statement",
    "time_value",
]
