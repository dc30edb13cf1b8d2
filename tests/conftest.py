import importlib
import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.utils import translation

from codegouv.celery import app as celery_app

REDIS_URL = os.environ.get("REDIS_URL", "")


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    host = db.get("HOST") or "localhost"
    if host.startswith("/"):
        where = f"PostgreSQL on the Unix socket in {host}"
    else:
        where = f"PostgreSQL {host}:{db.get('PORT') or 5432}"
    redis = f"Redis at {REDIS_URL}" if REDIS_URL else "no Redis (tasks eager, local cache)"
    from tests.e2e.conftest import pytest_report_header as e2e_header

    return [f"database: {where}", f"services: {redis}", e2e_header(config)]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if not REDIS_URL and item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.skip(reason="needs Redis; REDIS_URL is not set"))


@pytest.fixture(autouse=True)
def isolated_cache(request, settings):
    """Each test gets an empty local cache, unless it is about Redis itself."""
    if not request.node.get_closest_marker("redis"):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Tests see each page as rendered now; tests/core/test_pagecache.py turns it on.
    settings.CACHE_MIDDLEWARE_SECONDS = 0
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in French: Django leaves the language of a test's last request (an
    /en/ page) active in the thread, and a later test's reverse() would build English URLs."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def dumps_out_of_the_tree(settings, tmp_path_factory):
    """The open-data dumps a test writes (load_demo writes them) go under pytest's temporary
    directory, never into var/dumps of the working tree."""
    settings.DUMPS_ROOT = tmp_path_factory.getbasetemp() / "dumps"


@pytest.fixture
def warm_navigation_cache(db):
    """Every page reads the guide pages' placements once, then from the cache: query-count
    tests load them first so that they measure the page, not the first cache fill."""
    from editorial.guides import linked_pages

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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users: a deliberately slow hasher would only slow them down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def about_page(db):
    """The about page its migration seeds: a test that ran with transactional_db before this
    one emptied the tables, data migrations included, so seed it again (idempotent)."""
    from django.apps import apps

    from editorial.models import ABOUT_SLUG, GuidePage

    seed = importlib.import_module("editorial.migrations.0003_about_page")
    seed.create_about_page(apps, None)
    return GuidePage.objects.get(slug=ABOUT_SLUG)
