"""The web statement timeout: a runaway statement is cancelled and the visitor told so;
the statistics' first computation and tasks may run longer."""

import pytest
from django.db import OperationalError, connection

from catalog import filters
from codegouv import statistics
from codegouv.celery import app as celery_app
from core.db import longer_statements
from tests.codegouv.test_settings import PRODUCTION_KEY, read_settings, run_python
from tests.factories import RepositoryFactory

# Each test cancels statements on purpose: outside a wrapping transaction, so that the
# next statement runs.
pytestmark = pytest.mark.django_db(transaction=True)

WEB_TIMEOUT = 100  # milliseconds, short so that the tests are quick


def shown_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def sleep(seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])


@pytest.fixture
def web_timeout(settings):
    """This connection as a web worker's: opened with statements cut at WEB_TIMEOUT."""
    settings.DATABASE_STATEMENT_TIMEOUT = WEB_TIMEOUT
    options = connection.settings_dict["OPTIONS"]
    saved = options.get("options")
    connection.close()
    options["options"] = f"-c statement_timeout={WEB_TIMEOUT}"
    yield
    connection.close()
    if saved is None:
        options.pop("options")
    else:
        options["options"] = saved


def test_the_setting_reaches_every_connection_and_defaults_to_none():
    unset = read_settings("DATABASES", DJANGO_SECRET_KEY=PRODUCTION_KEY)["DATABASES"]
    assert "statement_timeout" not in unset
    configured = read_settings(
        "DATABASES", DJANGO_SECRET_KEY=PRODUCTION_KEY, DATABASE_STATEMENT_TIMEOUT="2000"
    )["DATABASES"]
    assert "'options': '-c statement_timeout=2000'" in configured


def test_gunicorn_sets_two_seconds_for_web_requests_unless_told_otherwise():
    code = (
        "import os, runpy; runpy.run_path('gunicorn.conf.py'); "
        "print(os.environ['DATABASE_STATEMENT_TIMEOUT'])"
    )
    assert run_python(code).stdout.strip() == "2000"
    assert run_python(code, DATABASE_STATEMENT_TIMEOUT="5000").stdout.strip() == "5000"


def test_web_workers_open_their_connections_without_jit(settings):
    """PostgreSQL's JIT compiled a broad search's plan for ~90 ms: off for web requests."""
    unset = read_settings("DATABASES", DJANGO_SECRET_KEY=PRODUCTION_KEY)["DATABASES"]
    assert "jit" not in unset
    both = read_settings(
        "DATABASES",
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        DATABASE_STATEMENT_TIMEOUT="2000",
        DATABASE_JIT="false",
    )["DATABASES"]
    assert "'options': '-c statement_timeout=2000 -c jit=off'" in both
    code = "import os, runpy; runpy.run_path('gunicorn.conf.py'); print(os.environ['DATABASE_JIT'])"
    assert run_python(code).stdout.strip() == "false"
    # The option as it reaches PostgreSQL.
    options = connection.settings_dict["OPTIONS"]
    saved = options.get("options")
    connection.close()
    options["options"] = "-c jit=off"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
    finally:
        connection.close()
        if saved is None:
            options.pop("options")
        else:
            options["options"] = saved


def test_a_search_outlasting_the_timeout_gets_a_503_page_then_the_site_answers(
    client, web_timeout, monkeypatch, caplog
):
    RepositoryFactory(name="outil")
    original = filters.listing_summary

    def runaway(queryset, **kwargs):
        sleep(1)
        return original(queryset, **kwargs)

    monkeypatch.setattr(filters, "listing_summary", runaway)

    response = client.get("/depots/?q=outil")

    assert response.status_code == 503
    html = response.content.decode()
    assert "Demande trop longue" in html and "Essayez une recherche plus précise" in html
    assert "statement timeout: GET /depots/?q=outil" in caplog.text
    monkeypatch.setattr(filters, "listing_summary", original)
    assert client.get("/depots/?q=outil").status_code == 200


def test_longer_statements_lifts_the_limit_inside_only(web_timeout):
    with pytest.raises(OperationalError):
        sleep(0.3)

    with longer_statements(5_000):
        assert shown_timeout() == "5s"
        sleep(0.3)

    assert shown_timeout() == f"{WEB_TIMEOUT}ms"
    with pytest.raises(OperationalError):
        sleep(0.3)


def test_longer_statements_costs_nothing_where_there_is_no_limit(
    settings, django_assert_num_queries
):
    settings.DATABASE_STATEMENT_TIMEOUT = 0
    with django_assert_num_queries(0), longer_statements(5_000):
        pass


def test_the_first_statistics_are_computed_whatever_the_web_timeout(web_timeout, monkeypatch):
    RepositoryFactory.create_batch(3)
    compute = statistics.compute_statistics

    def slow_compute():
        sleep(0.3)  # as a whole-catalogue aggregate at national scale
        return compute()

    monkeypatch.setattr(statistics, "compute_statistics", slow_compute)

    assert statistics.get_statistics()["totals"]["repositories"] == 3
    assert shown_timeout() == f"{WEB_TIMEOUT}ms"


def test_a_task_run_in_a_web_process_is_not_cut_short(web_timeout):
    @celery_app.task(name="tests.sleeps")
    def sleeps():
        sleep(0.3)
        return shown_timeout()

    assert sleeps.delay().get(timeout=5) == "0"
    assert shown_timeout() == f"{WEB_TIMEOUT}ms"
