"""Probes behind /healthz: does each backing service answer right now?

The probes run at the same time, each in its own thread, and the report waits DEADLINE
seconds at most: a service that hangs is reported as not answering in time, the others as
they are, so a load balancer polling /healthz always gets its answer quickly.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections

from codegouv.celery import app as celery_app
from codegouv.tasks import HEARTBEAT_CACHE_KEY
from core.cache import probe

logger = logging.getLogger(__name__)

# Seconds /healthz waits for the probes, so that it answers within 3 s whatever happens.
# A Redis probe ends before, with the actual error (REDIS_TIMEOUT is 1 s); a database that
# hangs (its connect_timeout is 5 s) is reported as not answering in time.
DEADLINE = 2
NOT_IN_TIME = {"status": "error", "error": f"no answer within {DEADLINE:g} s"}


def _failure(name: str, exc: Exception) -> dict:
    logger.warning("health check %s failed: %s", name, exc)
    # The class name tells an operator what broke without leaking hosts or credentials.
    return {"status": "error", "error": type(exc).__name__}


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            (version,) = cursor.fetchone()
    except Exception as exc:  # any failure means "down"
        return _failure("database", exc)
    return {"status": "ok", "server_version": version}


def check_cache(cache) -> dict:
    """Write, read back and delete a key in ``cache``, past the breaker that serves pages
    without the cache while Redis fails (core.cache): this reports Redis as it is."""
    try:
        answered = probe(cache)
    except Exception as exc:
        return _failure("cache", exc)
    if not answered:
        return {"status": "error", "error": "value not read back"}
    return {"status": "ok", "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_broker() -> dict:
    if celery_app.conf.task_always_eager:
        return {"status": "ok", "mode": "eager"}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=DEADLINE)
    except Exception as exc:
        return _failure("broker", exc)
    return {"status": "ok", "mode": "redis"}


def last_worker_ping(cache) -> str | None:
    try:
        return cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:
        return None


def _within_deadline(probes: dict, deadline: float) -> dict:
    """{name: result} of the callables in ``probes``, run at once in daemon threads; a
    probe still running after ``deadline`` seconds is left behind, its result missing."""
    results = {}

    def run(name, function):
        try:
            results[name] = function()
        finally:
            # This thread's own database connection, if the probe opened one.
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=item, name=f"healthz-{item[0]}", daemon=True)
        for item in probes.items()
    ]
    for thread in threads:
        thread.start()
    end = time.monotonic() + deadline
    for thread in threads:
        thread.join(timeout=max(0.0, end - time.monotonic()))
    return dict(results)


def report() -> tuple[bool, dict]:
    """(healthy, JSON-ready report) over the database, the cache and the broker."""
    cache = caches["default"]
    results = _within_deadline(
        {
            "database": check_database,
            "cache": lambda: check_cache(cache),
            "broker": check_broker,
            "last_worker_ping": lambda: last_worker_ping(cache),
        },
        DEADLINE,
    )
    checks = {name: results.get(name, NOT_IN_TIME) for name in ("database", "cache", "broker")}
    for name, check in checks.items():
        if check is NOT_IN_TIME:
            logger.warning("health check %s failed: %s", name, NOT_IN_TIME["error"])
    healthy = all(check["status"] == "ok" for check in checks.values())
    return healthy, {
        "status": "ok" if healthy else "error",
        "checks": checks,
        "last_worker_ping": results.get("last_worker_ping"),
    }
