"""Probes behind /healthz: does each backing service answer right now?"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from codegouv.celery import app as celery_app
from codegouv.tasks import HEARTBEAT_CACHE_KEY

logger = logging.getLogger(__name__)


def _failure(name: str, exc: Exception) -> dict:
    logger.warning("health check %s failed: %s", name, exc)
    # The class name tells an operator what broke without leaking hosts or credentials.
    return {"status": "error", "error": type(exc).__name__}


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"
        return _failure("database", exc)
    return {"status": "ok", "vendor": connection.vendor}


def check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        answered = cache.get(key) == "1"
        cache.delete(key)
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
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:
        return _failure("broker", exc)
    return {"status": "ok", "mode": "redis"}


def last_worker_ping() -> str | None:
    try:
        return cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:
        return None


def report() -> tuple[bool, dict]:
    """(healthy, JSON-ready report) over the database, the cache and the broker."""
    checks = {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
    }
    healthy = all(check["status"] == "ok" for check in checks.values())
    return healthy, {
        "status": "ok" if healthy else "error",
        "checks": checks,
        "last_worker_ping": last_worker_ping(),
    }
