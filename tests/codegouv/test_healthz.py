import pytest
from django.core.cache import caches
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper

from codegouv import health
from codegouv.celery import app as celery_app

# Nothing listens on port 1: connections there are refused at once, like a service that is down.
DEAD_PORT = 1


def test_healthz_answers_200_with_every_check_ok(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    report = response.json()
    assert report["status"] == "ok"
    assert {name: check["status"] for name, check in report["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
    }
    assert report["checks"]["broker"]["mode"] == "eager"


def test_healthz_answers_503_when_the_database_is_down(client, db, monkeypatch):
    params = {**connections["default"].settings_dict}
    params.update(
        ENGINE="django.db.backends.postgresql",
        HOST="127.0.0.1",
        PORT=DEAD_PORT,
        NAME="codegouv",
        USER="postgres",
        OPTIONS={"connect_timeout": 2},
    )
    dead = PostgresWrapper(params, alias="dead")
    monkeypatch.setattr(health, "connection", dead)

    response = client.get("/healthz")

    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "error"
    assert report["checks"]["database"] == {"status": "error", "error": "OperationalError"}
    assert report["checks"]["cache"]["status"] == "ok"


def test_healthz_answers_503_when_the_redis_cache_is_down(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{DEAD_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"status": "error", "error": "ConnectionError"}
    assert response.json()["last_worker_ping"] is None
    # The test fixture clears the cache afterwards: point it back at a live one first.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_healthz_answers_503_when_the_broker_is_down(client, db):
    eager, broker_url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = f"redis://127.0.0.1:{DEAD_PORT}/0"
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker_url

    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["status"] == "error"


@pytest.mark.redis
def test_healthz_checks_the_real_redis_broker_and_cache(client, db):
    caches["default"].clear()
    response = client.get("/healthz")

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["cache"] == {"status": "ok", "backend": "ResilientRedisCache"}
    assert checks["broker"] == {"status": "ok", "mode": "redis"}
