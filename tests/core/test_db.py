"""Timestamps read from PostgreSQL: Django's values, through psycopg's compiled parser."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from psycopg.pq import Format

from core.db import PSYCOPG_TIMESTAMPTZ_LOADER, TIMESTAMPTZ_OID, TimestamptzLoader
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


def test_timestamps_come_back_as_the_same_instants_in_utc():
    instants = [
        datetime(2026, 12, 7, 23, 59, 59, 999_999, tzinfo=ZoneInfo("Europe/Paris")),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2024, 3, 31, 2, 30, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
    ]
    for instant in instants:
        repository = RepositoryFactory(created_at=instant)
        repository.refresh_from_db()

        assert repository.created_at == instant
        assert repository.created_at.tzinfo is UTC


def test_every_cursor_keeps_the_compiled_parser():
    """Django's create_cursor() registers its own loader on a cursor whose connection's time
    zone differs from the loader's; psycopg's binary package (requirements/main.txt) is
    what parses."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        (now,) = cursor.fetchone()
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)

    assert issubclass(loader, TimestamptzLoader)
    assert PSYCOPG_TIMESTAMPTZ_LOADER.__module__.startswith("psycopg_binary")
    assert now.tzinfo is UTC


def test_none_stays_none():
    repository = RepositoryFactory(pushed_at=None)
    repository.refresh_from_db()

    assert repository.pushed_at is None
