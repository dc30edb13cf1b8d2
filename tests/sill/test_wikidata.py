from datetime import UTC, datetime

import pytest

from sill.models import ExternalValue, Software
from sill.tasks import refresh_wikidata
from sill.wikidata import (
    BATCH_SIZE,
    USER_AGENT,
    build_http,
    effective_value,
    extract,
    fetch_entities,
    refresh_software,
)
from tests.fakewikidata import FakeWikidata, build_entity, statement

pytestmark = pytest.mark.django_db

FIRST = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SECOND = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def wikidata(settings):
    with FakeWikidata() as server:
        settings.WIKIDATA_API_URL = server.url
        yield server


@pytest.fixture
def sleeps():
    """The backoff waits asked for, instead of sleeping them."""
    return []


@pytest.fixture
def http(sleeps):
    client = build_http(sleep=sleeps.append, read_timeout=2)
    yield client
    client.close()


def make_software(count, *, start=1):
    return Software.objects.bulk_create(
        Software(name=f"Logiciel {n}", slug=f"logiciel-{n}", wikidata_id=f"Q{n}")
        for n in range(start, start + count)
    )


def stored(software):
    return dict(
        ExternalValue.objects.filter(software=software, source="wikidata").values_list(
            "field", "value"
        )
    )


def fetched_at(software, field):
    return ExternalValue.objects.get(software=software, source="wikidata", field=field).fetched_at


def test_refresh_stores_values_with_provenance_and_fetch_date(wikidata, http):
    wikidata.add_entity(
        "Q123",
        label_fr="LibreOffice",
        label_en="LibreOffice",
        description_fr="suite bureautique libre",
        description_en="free office suite",
        website="https://www.libreoffice.org/",
        logo="LibreOffice logo 2020.svg",
        license_qid="Q25428413",
        source="https://git.libreoffice.org/core",
        versions=[("7.6.7", "2024-05-01", "normal"), ("24.2.3", "2024-04-25", "preferred")],
        wikipedia_fr="LibreOffice",
    )
    software = Software.objects.create(name="LibreOffice", slug="libreoffice", wikidata_id="Q123")

    report = refresh_software(http=http, now=FIRST)

    assert report.updated == [software.pk]
    assert (report.unchanged, report.missing, report.errors) == ([], [], [])
    assert stored(software) == {
        "label_fr": "LibreOffice",
        "label_en": "LibreOffice",
        "description_fr": "suite bureautique libre",
        "description_en": "free office suite",
        "website": "https://www.libreoffice.org/",
        "logo": "https://commons.wikimedia.org/wiki/Special:FilePath/LibreOffice_logo_2020.svg",
        "license": "MPL-2.0",
        "source_repository": "https://git.libreoffice.org/core",
        "latest_version": "24.2.3",
        "latest_version_date": "2024-04-25",
        "wikipedia_fr": "https://fr.wikipedia.org/wiki/LibreOffice",
    }
    assert {value.fetched_at for value in software.external_values.all()} == {FIRST}
    # The row itself is left to editors.
    software.refresh_from_db()
    assert (software.website, software.logo_url, software.license) == ("", "", "")

    (request,) = wikidata.requests
    assert request.user_agent == USER_AGENT
    assert request.params == {
        "action": "wbgetentities",
        "ids": "Q123",
        "props": "labels|descriptions|claims|sitelinks",
        "languages": "fr|en",
        "sitefilter": "frwiki|enwiki",
        "format": "json",
    }


def test_refresh_asks_by_batches_of_50(wikidata, http):
    software = make_software(120)
    for item in software:
        wikidata.add_entity(item.wikidata_id, label_fr=item.name)

    report = refresh_software(http=http, now=FIRST)

    assert [len(batch) for batch in wikidata.batches] == [50, 50, 20]
    assert sorted(qid for batch in wikidata.batches for qid in batch) == sorted(
        item.wikidata_id for item in software
    )
    assert {request.user_agent for request in wikidata.requests} == {USER_AGENT}
    assert sorted(report.updated) == sorted(item.pk for item in software)
    assert ExternalValue.objects.filter(field="label_fr").count() == 120


def test_missing_item_is_reported_and_keeps_its_values(wikidata, http):
    kept, gone, never = make_software(3)
    for item in (kept, gone):
        wikidata.add_entity(item.wikidata_id, label_fr=item.name, website="https://a.example")
    refresh_software(http=http, now=FIRST)
    wikidata.remove_entity(gone.wikidata_id)

    report = refresh_software(http=http, now=SECOND)

    assert sorted(report.missing) == sorted([gone.pk, never.pk])
    assert report.unchanged == [kept.pk]
    assert report.errors == []
    assert stored(gone) == {"label_fr": gone.name, "website": "https://a.example"}
    assert fetched_at(gone, "website") == FIRST
    assert fetched_at(kept, "website") == SECOND
    assert stored(never) == {}


def test_failing_batch_keeps_previous_values_and_others_succeed(wikidata, http, sleeps):
    software = make_software(120)
    for item in software:
        wikidata.add_entity(item.wikidata_id, website=f"https://old.example/{item.pk}")
    refresh_software(http=http, now=FIRST)
    for item in software:
        website = wikidata.entity(item.wikidata_id)["claims"]["P856"][0]["mainsnak"]
        website["datavalue"]["value"] = f"https://new.example/{item.pk}"
    wikidata.reset_log()
    sleeps.clear()
    # The second batch fails on every attempt: the first one and three retries.
    wikidata.fail_next(503, times=4, entity=software[50].wikidata_id)

    report = refresh_software(http=http, now=SECOND)

    assert [len(batch) for batch in wikidata.batches] == [50, 50, 50, 50, 50, 20]
    assert [request.status for request in wikidata.requests] == [200, 503, 503, 503, 503, 200]
    assert sleeps == [1.0, 2.0, 4.0]  # exponential backoff between attempts
    assert len(report.errors) == 1
    assert "HTTP 503 after 4 attempts" in report.errors[0]
    failed, succeeded = software[50:100], software[:50] + software[100:]
    assert sorted(report.updated) == sorted(item.pk for item in succeeded)
    for item in failed:
        assert stored(item) == {"website": f"https://old.example/{item.pk}"}
        assert fetched_at(item, "website") == FIRST
    for item in succeeded:
        assert stored(item) == {"website": f"https://new.example/{item.pk}"}
        assert fetched_at(item, "website") == SECOND


def test_transient_errors_are_retried(wikidata, http, sleeps):
    (software,) = make_software(1)
    wikidata.add_entity("Q1", label_en="App")
    wikidata.fail_next(503, times=2)

    report = refresh_software(http=http, now=FIRST)

    assert report.updated == [software.pk]
    assert [request.status for request in wikidata.requests] == [503, 503, 200]
    assert sleeps == [1.0, 2.0]
    assert stored(software) == {"label_en": "App"}


def test_read_timeout_is_retried(wikidata, sleeps):
    (software,) = make_software(1)
    wikidata.add_entity("Q1", label_en="App")
    wikidata.delay_next(1.0)
    client = build_http(sleep=sleeps.append, read_timeout=0.2)
    try:
        report = refresh_software(http=client, now=FIRST)
    finally:
        client.close()

    assert report.updated == [software.pk]
    assert sleeps == [1.0]  # one retry after the timeout


def test_long_rate_limit_stops_the_run(wikidata, http):
    make_software(120)
    wikidata.fail_next(429, headers={"Retry-After": "3600"})

    report = refresh_software(http=http, now=FIRST)

    assert len(wikidata.requests) == 1  # the batches left are not asked for
    assert len(report.errors) == 3
    assert all("rate limit" in error for error in report.errors)
    assert report.updated == []


@pytest.mark.parametrize("fault", ["malformed_next", "api_error_next"])
def test_malformed_answer_fails_the_batch_and_keeps_values(wikidata, http, fault):
    (software,) = make_software(1)
    wikidata.add_entity("Q1", website="https://old.example")
    refresh_software(http=http, now=FIRST)
    wikidata.add_entity("Q1", website="https://new.example")
    getattr(wikidata, fault)()

    report = refresh_software(http=http, now=SECOND)

    assert report.updated == report.unchanged == report.missing == []
    assert len(report.errors) == 1
    assert stored(software) == {"website": "https://old.example"}
    assert fetched_at(software, "website") == FIRST


def test_partial_update_keeps_values_absent_from_the_item(wikidata, http):
    (software,) = make_software(1)
    wikidata.add_entity(
        "Q1", website="https://old.example", logo="Old.png", versions=["1.0"], label_fr="App"
    )
    refresh_software(http=http, now=FIRST)
    # The logo statement was removed, the website changed, a version was added.
    wikidata.add_entity("Q1", website="https://new.example", versions=["1.0", "2.0"])

    report = refresh_software(http=http, now=SECOND)

    assert report.updated == [software.pk]
    assert stored(software) == {
        "website": "https://new.example",
        "latest_version": "2.0",
        "logo": "https://commons.wikimedia.org/wiki/Special:FilePath/Old.png",
        "label_fr": "App",
    }
    assert fetched_at(software, "website") == SECOND
    assert fetched_at(software, "logo") == FIRST  # not confirmed since


def test_unchanged_values_get_a_new_fetch_date(wikidata, http):
    (software,) = make_software(1)
    wikidata.add_entity("Q1", website="https://a.example")
    refresh_software(http=http, now=FIRST)

    report = refresh_software(http=http, now=SECOND)

    assert (report.updated, report.unchanged) == ([], [software.pk])
    assert fetched_at(software, "website") == SECOND


def test_only_given_software_and_ids_in_any_form(wikidata, http):
    url_form = Software.objects.create(
        name="A", slug="a", wikidata_id=" https://www.wikidata.org/wiki/q10 "
    )
    other = Software.objects.create(name="B", slug="b", wikidata_id="Q11")
    invalid = Software.objects.create(name="C", slug="c", wikidata_id="LibreOffice")
    Software.objects.create(name="D", slug="d")  # no Wikidata id: never asked for
    wikidata.add_entity("Q10", label_fr="A")
    wikidata.add_entity("Q11", label_fr="B")

    report = refresh_software(software_ids=[url_form.pk, invalid.pk], http=http, now=FIRST)

    assert wikidata.batches == [["Q10"]]
    assert report.updated == [url_form.pk]
    assert report.errors == ["c: 'LibreOffice' is not a Wikidata item id"]
    assert stored(other) == {}


def test_same_item_for_two_software_and_redirects(wikidata, http):
    first = Software.objects.create(name="A", slug="a", wikidata_id="Q5")
    second = Software.objects.create(name="A bis", slug="a-bis", wikidata_id="Q5")
    merged = Software.objects.create(name="B", slug="b", wikidata_id="Q6")
    wikidata.add_entity("Q5", label_fr="A")
    wikidata.add_entity("Q7", label_fr="B")
    wikidata.redirect("Q6", "Q7")

    report = refresh_software(http=http, now=FIRST)

    assert wikidata.batches == [["Q5", "Q6"]]
    assert sorted(report.updated) == sorted([first.pk, second.pk, merged.pk])
    assert stored(second) == {"label_fr": "A"}
    assert stored(merged) == {"label_fr": "B"}


def test_fetch_entities_skips_missing_and_reports_failed_batches(wikidata, http):
    for n in range(1, 61):
        wikidata.add_entity(f"Q{n}", label_en=f"App {n}")
    wikidata.fail_next(500, times=4, entity="Q55")

    entities = fetch_entities([f"Q{n}" for n in range(1, 61)] + ["Q999", "nope"], http=http)

    assert sorted(entities) == sorted(f"Q{n}" for n in range(1, 51))
    assert entities["Q3"]["labels"]["en"]["value"] == "App 3"
    assert entities.failed_ids == {*(f"Q{n}" for n in range(51, 61)), "Q999"}
    assert len(entities.errors) == 2
    assert "'nope' is not a Wikidata item id" in entities.errors


def test_extract_logo_license_and_latest_version():
    entity = build_entity(
        "Q1",
        logo=["Old logo.png", ("Logo (2024) été.svg", "preferred")],
        license_qid=["Q7603", "Q334661"],
        website=[("https://deprecated.example", "deprecated"), "https://good.example"],
        versions=[("1.0", "2020-01-01"), ("3.0-beta", None), ("2.1", "2022-06"), ("2.0", "2022")],
    )
    values = extract(entity)

    assert values["logo"] == (
        "https://commons.wikimedia.org/wiki/Special:FilePath/Logo_(2024)_%C3%A9t%C3%A9.svg"
    )
    assert values["license"] == "wikidata:Q7603"  # the GPL family: no SPDX id to guess
    assert values["website"] == "https://good.example"
    assert values["latest_version"] == "2.1"  # the most recent publication date
    assert values["latest_version_date"] == "2022-06-01"  # a month: its first day
    assert values["label_fr"] is None


@pytest.mark.parametrize(
    ("versions", "latest"),
    [
        ([("2.0", "2024-01-01"), ("1.9", "2023-01-01", "preferred")], "1.9"),
        ([("1.0", None), ("1.2", None), ("1.1", None)], "1.1"),
        ([("9.0", "2030-01-01", "deprecated"), ("1.0", "2020-01-01")], "1.0"),
        ([], None),
    ],
)
def test_latest_version_rules(versions, latest):
    assert extract(build_entity("Q1", versions=versions))["latest_version"] == latest


def test_extract_tolerates_odd_statements():
    entity = build_entity(
        "Q1",
        claims={
            "P856": [statement("Q1", "P856", None, snaktype="novalue")],
            "P275": [statement("Q1", "P275", "Q13785927", rank="preferred")],
        },
    )
    entity["labels"] = []  # PHP serialises an empty map as a list

    values = extract(entity)

    assert values["website"] is None
    assert values["license"] == "Apache-2.0"
    assert values["label_fr"] is None


def test_effective_value_prefers_the_row(wikidata, http):
    software = Software.objects.create(
        name="App", slug="app", wikidata_id="Q1", website="https://sill.example"
    )
    wikidata.add_entity(
        "Q1",
        website="https://wikidata.example",
        license_qid="Q334661",
        description_fr="logiciel",
        versions=["1.0"],
    )
    refresh_software(http=http, now=FIRST)
    software = Software.objects.prefetch_related("external_values").get(pk=software.pk)
    values = software.external_values.all()

    assert effective_value(software, "website", values) == ("https://sill.example", "sill")
    assert effective_value(software, "license", values) == ("MIT", "wikidata")
    assert effective_value(software, "description_fr", values) == ("logiciel", "wikidata")
    assert effective_value(software, "latest_version", values) == ("1.0", "wikidata")
    assert effective_value(software, "logo_url", values) == (None, None)
    assert effective_value(software, "logo", {"logo": "https://x.example/l.png"}) == (
        "https://x.example/l.png",
        "wikidata",
    )
    software.license = "EUPL-1.2"
    assert effective_value(software, "license", values) == ("EUPL-1.2", "sill")
    assert effective_value(software, "license") == ("EUPL-1.2", "sill")
    with pytest.raises(ValueError, match="unknown"):
        effective_value(software, "name", values)


def test_task_refreshes(wikidata):
    (software,) = make_software(1)
    wikidata.add_entity("Q1", label_fr="App")

    result = refresh_wikidata.delay()

    assert result.get() == "1 updated, 0 unchanged, 0 missing, 0 errors"
    assert stored(software) == {"label_fr": "App"}
    assert wikidata.requests[0].user_agent == USER_AGENT


def test_task_is_registered():
    from codegouv.celery import app

    task = app.tasks["sill.refresh_wikidata"]
    assert (task.soft_time_limit, task.time_limit) == (600, 660)
    assert BATCH_SIZE == 50
