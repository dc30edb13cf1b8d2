import os

import pytest
from django.core.cache import caches
from django.db import connection

from codegouv.celery import app as celery_app

REDIS_URL = os.environ.get("REDIS_URL", "")


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        where = "SQLite (in memory for tests)"
    else:
        where = f"PostgreSQL {db.get('HOST') or 'socket'}:{db.get('PORT') or 5432}"
    redis = f"Redis at {REDIS_URL}" if REDIS_URL else "no Redis (tasks eager, local cache)"
    from tests.e2e.conftest import pytest_report_header as e2e_header

    return [f"database: {where}", f"services: {redis}", e2e_header(config)]


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    for item in items:
        if on_sqlite and item.get_closest_marker("postgresql"):
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL; this run uses SQLite"))
        if not REDIS_URL and item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.skip(reason="needs Redis; REDIS_URL is not set"))


@pytest.fixture(autouse=True)
def isolated_cache(request, settings):
    """Each test gets an empty local cache, unless it is about Redis itself."""
    if not request.node.get_closest_marker("redis"):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    yield
    caches["default"].clear()


@pytest.fixture
def warm_navigation_cache(db):
    """Every page reads the guide pages' placements once, then from the cache: query-count
    tests load them first so that they measure the page, not the first cache fill."""
    from codegouv.guides import linked_pages

    linked_pages()


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks run in-process during tests, even when REDIS_URL points at a real broker."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def on_postgresql():
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users: a deliberately slow hasher would only slow them down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
