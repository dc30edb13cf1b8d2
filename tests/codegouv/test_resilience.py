"""The portal without Redis: pages answer (more slowly), /healthz says what is wrong within
3 s, a task that cannot be sent gives a message, and the 500 page needs nothing.

Redis "down" is a closed port (connections refused at once); Redis "hung" is a listening
socket that never answers (the kernel completes the handshake, nothing is ever read).
"""

import logging
import socket
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
from django.db.utils import OperationalError as DatabaseDown
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerDown

from catalog import tasks
from catalog.models import HarvestRun, Owner
from codegouv import health
from codegouv.celery import app as celery_app
from core import cache as resilient_cache
from editorial.models import GuidePage
from tests.codegouv.test_errors import assert_dsfr_error_page
from tests.factories import OwnerFactory, RepositoryFactory, SoftwareFactory, UserFactory

pytestmark = pytest.mark.django_db

TIMEOUT = django_settings.REDIS_TIMEOUT
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_port():
    with socket.create_server(("127.0.0.1", 0), backlog=64) as server:
        yield server.getsockname()[1]


@pytest.fixture(autouse=True)
def fresh_breakers(monkeypatch):
    """Each test starts with Redis presumed up (the breakers are per process)."""
    monkeypatch.setattr(resilient_cache, "_breakers", {})


@pytest.fixture
def cache_at(settings):
    """Points the cache at 127.0.0.1:PORT, with the production backend and timeouts."""

    def point(port, backend="core.cache.ResilientRedisCache"):
        settings.CACHES = {
            "default": {
                "BACKEND": backend,
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT},
            }
        }

    yield point
    # The shared fixture clears the cache after the test: give it one that answers.
    settings.CACHES = LOCAL_CACHE


@pytest.fixture
def broker_at():
    """Points Celery at a broker on 127.0.0.1:PORT, tasks sent for real (not eager)."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.broker_url

    def forget_connections():
        # Both pools keep connections to the broker used before: the app's and the
        # producers' (filled by any earlier send, e.g. the health check or ping).
        # Not app.close(): it also unregisters the app, and tasks imported afterwards
        # (a shared_task module) would then never reach its registry.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    def point(port):
        forget_connections()
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_url = f"redis://127.0.0.1:{port}/0"

    yield point
    forget_connections()
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved


@pytest.fixture
def catalogue():
    repository = RepositoryFactory(name="depot-sans-redis")
    SoftwareFactory(name="Logiciel sans Redis")
    GuidePage.objects.create(
        slug="guide-du-menu",
        title="Guide du menu",
        body="Du contenu.",
        status=GuidePage.Status.PUBLISHED,
        placement=GuidePage.Placement.NAVIGATION,
    )
    return repository


def warm_up(client, url):
    """The first request of a process imports views and compiles templates: not measured."""
    assert client.get(url).status_code in {200, 503}


def timed(function):
    started = time.monotonic()
    result = function()
    return result, time.monotonic() - started


# --- Pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "shown"),
    [
        ("/", 200, "Guide du menu"),  # the navigation read from the database instead
        ("/depots/", 200, "depot-sans-redis"),
        ("repository", 200, "depot-sans-redis"),
        ("/organisations/", 200, "Organisation"),
        ("/sill/", 200, "Logiciel sans Redis"),
        ("/statistiques/", 200, "Statistiques"),
        ("/guides/guide-du-menu/", 200, "Du contenu."),
        ("/compte/connexion/", 200, "Se connecter"),
        ("/admin/login/", 302, ""),
        ("/sitemap.xml", 200, "<sitemapindex"),
        ("/robots.txt", 200, "Sitemap"),
    ],
)
def test_pages_answer_when_redis_is_down(
    client, cache_at, closed_port, catalogue, url, status, shown
):
    cache_at(closed_port)
    if url == "repository":
        url = reverse("catalog:detail", args=[catalogue.forge.host, catalogue.full_path])

    response = client.get(url)

    assert response.status_code == status
    assert shown in response.content.decode()
    if status == 302:
        assert response["Location"].startswith("/compte/connexion/")


def test_a_cache_that_is_down_is_logged_once_not_on_every_call(
    client, cache_at, closed_port, catalogue, caplog
):
    cache_at(closed_port)

    with caplog.at_level(logging.INFO, logger="core.cache"):
        for url in ("/", "/depots/", "/sill/", "/organisations/"):
            assert client.get(url).status_code == 200

    logged = [record for record in caplog.records if record.name == "core.cache"]
    assert len(logged) == 1
    assert logged[0].levelno == logging.WARNING
    assert f"Redis cache 127.0.0.1:{closed_port}/0 unreachable" in logged[0].getMessage()


def test_a_hung_cache_costs_one_timeout_then_pages_skip_it(
    client, cache_at, silent_port, catalogue
):
    warm_up(client, "/depots/")
    cache_at(silent_port)

    first, first_took = timed(lambda: client.get("/depots/"))
    second, second_took = timed(lambda: client.get("/depots/"))

    assert first.status_code == second.status_code == 200
    assert "depot-sans-redis" in second.content.decode()
    # The page reads the cache a dozen times: one timeout in all, not one per read…
    assert TIMEOUT <= first_took < TIMEOUT + 1.5
    # …and none at all while the breaker keeps Redis aside.
    assert second_took < TIMEOUT


def test_after_its_back_off_the_cache_tries_redis_again(cache_at, silent_port, monkeypatch):
    monkeypatch.setattr(resilient_cache.ResilientRedisCache, "BACKOFF", 0.5)
    cache_at(silent_port)
    cache = caches["default"]

    assert timed(lambda: cache.get("key", "default"))[1] >= TIMEOUT
    value, took = timed(lambda: cache.get("key", "default"))
    assert value == "default" and took < 0.2
    time.sleep(0.5)
    assert timed(lambda: cache.get("key", "default"))[1] >= TIMEOUT


def test_a_cache_that_is_down_behaves_as_an_empty_cache(cache_at, closed_port):
    cache_at(closed_port)
    cache = caches["default"]

    assert cache.get("key") is None
    assert cache.get("key", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.get_or_set("key", lambda: "computed") == "computed"
    assert cache.add("key", 1) is False
    assert cache.set("key", 1) is None
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.has_key("key") is False
    assert cache.touch("key") is False
    assert cache.delete("key") is False
    assert cache.delete_many(["a", "b"]) is None
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")
    with pytest.raises(ValueError, match="not found"):
        cache.decr("counter")


@pytest.mark.redis
def test_with_redis_up_the_cache_is_django_s_redis_cache():
    cache = caches["default"]
    assert isinstance(cache, resilient_cache.ResilientRedisCache)

    assert cache.add("counter", 1) is True
    assert cache.add("counter", 5) is False
    assert cache.incr("counter", 2) == 3
    cache.set_many({"a": [1], "b": {"x": 2}})
    assert cache.get_many(["a", "b", "c"]) == {"a": [1], "b": {"x": 2}}
    assert cache.delete("a") is True
    assert cache.get("a", "gone") == "gone"
    with pytest.raises(ValueError):
        cache.incr("missing")


# --- /healthz ------------------------------------------------------------------------


def test_healthz_answers_503_within_3_seconds_when_redis_hangs(
    client, cache_at, broker_at, silent_port
):
    warm_up(client, "/healthz")
    cache_at(silent_port)
    broker_at(silent_port)

    response, took = timed(lambda: client.get("/healthz"))

    assert took < 3
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["cache"] == {"status": "error", "error": "TimeoutError"}
    assert checks["broker"]["status"] == "error"
    assert response.json()["last_worker_ping"] is None


def test_healthz_sees_redis_as_it_is_while_pages_skip_it(client, cache_at, closed_port, catalogue):
    cache_at(closed_port)
    assert client.get("/").status_code == 200  # the breaker now keeps Redis aside

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"status": "error", "error": "ConnectionError"}


def test_healthz_answers_within_3_seconds_when_the_database_hangs(client, silent_port, monkeypatch):
    params = {**connections["default"].settings_dict}
    params.update(
        ENGINE="django.db.backends.postgresql",
        HOST="127.0.0.1",
        PORT=silent_port,
        NAME="codegouv",
        USER="postgres",
        OPTIONS={"connect_timeout": 10},
    )
    hung = PostgresWrapper(params, alias="hung")
    warm_up(client, "/healthz")
    monkeypatch.setattr(health, "connection", hung)

    response, took = timed(lambda: client.get("/healthz"))

    assert took < 3
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"status": "error", "error": "no answer within 2 s"}
    assert checks["cache"]["status"] == "ok"


# --- Sending tasks -------------------------------------------------------------------


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_harvest_now_with_the_broker_down_says_so_and_changes_nothing(
    editor_client, broker_at, closed_port
):
    owners = OwnerFactory.create_batch(2)
    before = list(Owner.objects.values_list("pk", "last_attempt_at", "last_error"))
    broker_at(closed_port)

    response = editor_client.post(
        "/admin/catalog/owner/",
        {"action": "harvest_now", "_selected_action": [o.pk for o in owners]},
        follow=True,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "La file des tâches est indisponible : aucune collecte n’a été lancée" in html
    assert "mis en file de collecte" not in html
    assert HarvestRun.objects.count() == 0
    assert list(Owner.objects.values_list("pk", "last_attempt_at", "last_error")) == before


def test_a_forge_harvest_with_the_broker_hung_answers_with_a_message(
    editor_client, broker_at, silent_port
):
    owner = OwnerFactory()
    broker_at(silent_port)

    response, took = timed(
        lambda: editor_client.post(
            "/admin/catalog/forge/",
            {"action": "harvest_now", "_selected_action": [owner.forge.pk]},
            follow=True,
        )
    )

    assert response.status_code == 200
    assert "La file des tâches est indisponible" in response.content.decode()
    assert took < 4 * TIMEOUT


def test_when_the_broker_fails_midway_the_editor_learns_how_many_were_queued(
    editor_client, monkeypatch
):
    owners = OwnerFactory.create_batch(3)
    sent = []

    def apply_async(args, **options):
        if sent:
            raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        sent.append(args)

    monkeypatch.setattr(tasks.harvest_owner, "apply_async", apply_async)

    response = editor_client.post(
        "/admin/catalog/owner/",
        {"action": "harvest_now", "_selected_action": [o.pk for o in owners]},
        follow=True,
    )

    assert len(sent) == 1
    assert "1 collecte(s) sur 3 mise(s) en file, les autres non" in response.content.decode()


# --- The 500 page --------------------------------------------------------------------


@pytest.mark.urls("tests.urls")
def test_the_500_page_needs_neither_the_database_nor_the_cache(cache_at, closed_port, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    # Django's own Redis cache, which raises on every call, and a database that is down.
    cache_at(closed_port, backend="django.core.cache.backends.redis.RedisCache")

    def database_down(self):
        raise DatabaseDown("the database is down")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", database_down)

    response = client.get("/test/crash/")

    assert_dsfr_error_page(response, 500, "Erreur inattendue")
    assert "Se connecter" in response.content.decode()  # nobody is looked up
