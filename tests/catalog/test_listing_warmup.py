"""The broad listings' summaries computed ahead of visitors (catalog.services.listing_warmup)."""

from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from catalog import filters, listing_cache, tasks
from catalog.models import Repository
from catalog.services import listing_warmup
from catalog.services.counts import refresh_owner_counts
from codegouv import tasks as codegouv_tasks
from codegouv.celery import app as celery_app
from core.db import reset_statement_timeout, set_statement_timeout
from core.signals import catalogue_changed
from tests.factories import ForgeFactory, OwnerFactory, PublicBodyFactory, RepositoryFactory

pytestmark = pytest.mark.django_db

# How core.facets starts its one statement (with archived rows set aside, or without).
SUMMARY_STATEMENTS = ("WITH a AS MATERIALIZED", "WITH m AS MATERIALIZED")


def summary_statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith(SUMMARY_STATEMENTS)]


@pytest.fixture
def catalogue():
    ministry = PublicBodyFactory(name="Ministère de l’Exemple", is_ministry=True)
    ministry.ministry = ministry
    ministry.save()
    body = PublicBodyFactory(name="Direction de l’Exemple", ministry=ministry)
    dinum = OwnerFactory(path="dinum", public_body=body)
    inria = OwnerFactory(path="inria", forge=ForgeFactory(gitlab=True))
    RepositoryFactory(owner=dinum, topics=["open-data", "python"])
    RepositoryFactory(owner=dinum, language="Java", license_spdx="Apache-2.0", topics=["api"])
    RepositoryFactory(owner=inria, language="OCaml", license_spdx="AGPL-3.0-only")
    RepositoryFactory(owner=inria, language="OCaml", license_spdx="NOASSERTION")
    RepositoryFactory(owner=inria, language="OCaml", archived=True)
    RepositoryFactory(owner=dinum, language="Java", gone=True)
    refresh_owner_counts()
    return {"ministry": ministry, "body": body}


BROAD_URLS = [
    "/depots/",
    "/depots/?language=OCaml",
    "/depots/?license=free",
    "/depots/?license=none",
    "/depots/?forge=gitlab.example.fr",
    "/depots/?topic=open-data",
]


def test_a_warmed_broad_listing_runs_no_summary_statement_and_shows_the_same_page(
    client, catalogue
):
    urls = [
        *BROAD_URLS,
        f"/depots/?ministry={catalogue['ministry'].slug}",
        f"/depots/?public_body={catalogue['body'].slug}",
    ]
    unwarmed = {}
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            unwarmed[url] = client.get(url).content.decode()
        assert len(summary_statements(captured)) == 1, url  # the statement looked for
    cache.clear()

    report = listing_warmup.warm_listing_summaries()

    assert not report.stale and report.present == 0
    # /depots/, then per facet its values: 5 licences (free, none, AGPL, Apache, MIT), 3
    # languages, 2 forges, 3 topics, 1 ministry, 1 public body, 1 Software Heritage state
    # (none checked yet).
    assert report.computed == 1 + 5 + 3 + 2 + 3 + 1 + 1 + 1
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        assert summary_statements(captured) == [], url
        assert html == unwarmed[url], url


def test_every_ministry_is_warmed_but_only_the_first_public_bodies(client):
    """Ministries are few and each is linked from several pages: all of them; public bodies
    are many: the first SIDEBAR_VALUES, as the sidebar shows."""
    count = listing_warmup.SIDEBAR_VALUES + 2
    bodies = []
    for i in range(count):
        ministry = PublicBodyFactory(name=f"Ministère {i:02}", is_ministry=True)
        ministry.ministry = ministry
        ministry.save()
        bodies.append(PublicBodyFactory(name=f"Service {i:02}", ministry=ministry))
        RepositoryFactory(owner=OwnerFactory(path=f"service-{i:02}", public_body=bodies[-1]))
    refresh_owner_counts()

    listing_warmup.warm_listing_summaries()

    for body in bodies:
        ministry = body.ministry
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/depots/?ministry={ministry.slug}").status_code == 200
        assert summary_statements(captured) == [], ministry.name
    bodies_computed = 0
    for body in bodies:
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/depots/?public_body={body.slug}")
        bodies_computed += len(summary_statements(captured))
    assert bodies_computed == count - listing_warmup.SIDEBAR_VALUES


def test_the_form_of_a_filter_select_reads_the_warmed_summary(client, catalogue):
    """The selects send every field, most of them empty: the same listing, the same key."""
    listing_warmup.warm_listing_summaries()

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/depots/?q=&language=OCaml&license=&topic=&sort=score")

    assert response.status_code == 200
    assert summary_statements(captured) == []


def test_a_second_run_computes_nothing_and_keeps_what_is_cached(catalogue):
    first = listing_warmup.warm_listing_summaries()

    with (
        CaptureQueriesContext(connection) as captured,
        mock.patch.object(cache, "touch", wraps=cache.touch) as touch,
    ):
        second = listing_warmup.warm_listing_summaries()

    assert summary_statements(captured) == []
    assert (second.computed, second.present) == (0, first.computed)
    assert touch.call_count == first.computed
    assert {call.args[1] for call in touch.call_args_list} == {listing_cache.TIMEOUT}


def test_a_version_bump_during_warming_writes_nothing_under_the_new_version(catalogue):
    compute = filters.listing_summary
    calls = []

    def harvest_ends_during_the_second_summary(filterset, **options):
        calls.append(filterset)
        summary = compute(filterset, **options)
        if len(calls) == 2:
            listing_cache.bump_catalog_version()
        return summary

    old = listing_cache.catalog_version()
    with mock.patch.object(filters, "listing_summary", harvest_ends_during_the_second_summary):
        report = listing_warmup.warm_listing_summaries()

    new = listing_cache.catalog_version()
    assert new == old + 1
    assert report.stale and report.version == old
    assert len(calls) == 2 and report.computed == 1  # /depots/ only; the second was dropped
    default = cache.get(listing_cache.key_for("facets", QueryDict(), version=old))
    assert default is not None
    for params in [QueryDict(), *listing_warmup.broad_listings(default)]:
        assert cache.get(listing_cache.key_for("facets", params, version=new)) is None
    second = listing_warmup.broad_listings(default)[0]
    assert cache.get(listing_cache.key_for("facets", second, version=old)) is None


def test_a_version_bump_during_the_first_summary_stores_nothing(catalogue):
    compute = filters.listing_summary
    old = listing_cache.catalog_version()

    def bumped(filterset, **options):
        summary = compute(filterset, **options)
        listing_cache.bump_catalog_version()
        return summary

    with mock.patch.object(filters, "listing_summary", bumped):
        report = listing_warmup.warm_listing_summaries()

    assert report.stale and report.computed == 0
    for version in (old, old + 1):
        assert cache.get(listing_cache.key_for("facets", QueryDict(), version=version)) is None


def test_summaries_are_computed_without_the_web_statement_timeout(catalogue, settings):
    """In a web process (in-process tasks, a shell under gunicorn's settings) statements
    stop at 2 s; the broad summaries at a million repositories may need more."""
    settings.DATABASE_STATEMENT_TIMEOUT = 2000
    set_statement_timeout(2000)
    compute = filters.listing_summary
    seen = []

    def noting_the_timeout(filterset, **options):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])
        return compute(filterset, **options)

    try:
        with mock.patch.object(filters, "listing_summary", noting_the_timeout):
            listing_warmup.warm_listing_summaries()
    finally:
        reset_statement_timeout()

    assert seen and set(seen) == {"0"}


# --- The task and its scheduling -------------------------------------------------------


@pytest.fixture
def broker():
    """Tasks sent to a broker rather than run in-process (the fixture of tests/conftest.py
    makes them eager), the sending mocked: what was sent, with which options."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with (
            mock.patch.object(tasks.warm_listings, "apply_async") as warm,
            mock.patch.object(codegouv_tasks.refresh_statistics, "apply_async"),
        ):
            yield warm
    finally:
        celery_app.conf.task_always_eager = eager


def test_several_catalogue_changes_schedule_one_warmup(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _run in range(5):
            catalogue_changed.send(sender=Repository)
        # Nothing leaves before the harvest's transaction commits.
        broker.assert_not_called()

    broker.assert_called_once_with((), countdown=listing_warmup.WARMUP_DELAY)


def test_the_warmup_lets_later_changes_schedule_another_one(
    broker, catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_changed.send(sender=Repository)
    assert broker.call_count == 1

    assert "computed" in tasks.warm_listings.apply().get()

    with django_capture_on_commit_callbacks(execute=True):
        catalogue_changed.send(sender=Repository)
    assert broker.call_count == 2


def test_in_process_tasks_schedule_no_warmup(django_capture_on_commit_callbacks):
    """make run without Redis: the request that ended a harvest does not warm the cache of
    its own process (conftest.py runs tasks in-process, as make run does)."""
    assert celery_app.conf.task_always_eager
    with (
        mock.patch.object(tasks.warm_listings, "apply_async") as warm,
        django_capture_on_commit_callbacks(execute=True),
    ):
        catalogue_changed.send(sender=Repository)

    warm.assert_not_called()
    assert cache.get(listing_warmup.WARMUP_FLAG_KEY) is None


def test_the_task_warms_and_skips_while_another_run_holds_the_lock(client, catalogue):
    cache.add("harvest-lock:listing-warmup", "someone else", timeout=60)
    assert tasks.warm_listings.delay().get() == "locked"

    cache.delete("harvest-lock:listing-warmup")
    assert tasks.warm_listings.delay().get().startswith("listing summaries")
    with CaptureQueriesContext(connection) as captured:
        client.get("/depots/?language=Java")
    assert summary_statements(captured) == []


def test_beat_runs_the_warmup_before_its_entries_expire():
    """Warmed summaries last listing_cache.TIMEOUT: beat's run keeps them (a visitor would
    otherwise pay again a quarter of an hour after a harvest)."""
    entry = settings.CELERY_BEAT_SCHEDULE["warm-listings"]

    assert entry["task"] == tasks.warm_listings.name
    assert entry["schedule"] < listing_cache.TIMEOUT


def test_the_catalogue_version_moves_again_when_the_write_commits(
    django_capture_on_commit_callbacks,
):
    before = listing_cache.catalog_version()

    with django_capture_on_commit_callbacks(execute=True):
        listing_cache.bump_catalog_version()
        # A visitor reading now, before the commit, caches what the old rows say…
        read_meanwhile = listing_cache.catalog_version()

    # …under a version the commit leaves behind.
    assert before < read_meanwhile < listing_cache.catalog_version()
