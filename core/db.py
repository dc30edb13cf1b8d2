"""Database helpers that know no model of the project."""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache

import psycopg
from django.conf import settings
from django.db import DatabaseError, connections
from psycopg.adapt import Loader
from psycopg.pq import Format

TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid
# psycopg's own text loader of timestamptz: its compiled one when psycopg's binary package
# is installed (requirements/main.txt), else the pure-Python one.
PSYCOPG_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


class TimestamptzLoader(Loader):
    """What Django's loader gives (the instant, with the connection's tzinfo), parsed by
    psycopg's compiled loader. Django's derives from the pure-Python one, which cannot be
    subclassed in its compiled form (Django ticket #36960): ~5 µs a value, where a page of
    100 repositories from the API reads some 700 and a CSV export hundreds of thousands."""

    timezone = None  # Django's create_cursor() compares it with the connection's

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._parse = PSYCOPG_TIMESTAMPTZ_LOADER(oid, context).load

    def load(self, data):
        return self._parse(data).replace(tzinfo=self.timezone)


@lru_cache
def timestamptz_loader(timezone) -> type[TimestamptzLoader]:
    """The loader class of a connection's time zone, made once: psycopg and Django's
    create_cursor() read `timezone` from the class."""
    attributes = {"timezone": timezone, "__module__": __name__}
    return type("TimestamptzLoader", (TimestamptzLoader,), attributes)


def register_timestamptz_loader(sender, connection, **kwargs) -> None:
    """On each new PostgreSQL connection (the connection_created signal), when datetimes are
    aware: Django's own then sees the same time zone and leaves this loader in place."""
    if connection.vendor != "postgresql" or not settings.USE_TZ:
        return
    adapters = connection.connection.adapters
    adapters.register_loader(TIMESTAMPTZ_OID, timestamptz_loader(connection.timezone))


def set_statement_timeout(milliseconds: int, using: str = "default") -> None:
    """Let this connection's statements run up to `milliseconds` (0: no limit)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [str(milliseconds)])


def reset_statement_timeout(using: str = "default") -> None:
    """Back to the process default (DATABASE_STATEMENT_TIMEOUT)."""
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    except DatabaseError:
        # An aborted transaction rolls the SET back with it; a lost connection is replaced
        # by one with the default. Either way nothing is left to reset.
        pass


@contextmanager
def longer_statements(milliseconds: int, using: str = "default"):
    """Let the statements inside run up to `milliseconds` (0: no limit) where this process
    cuts them shorter: web requests stop at 2 s (DATABASE_STATEMENT_TIMEOUT, set by
    gunicorn.conf.py), and the few that legitimately run long statements (the first
    computation of the statistics) say so. No query at all where the default is longer."""
    default = getattr(settings, "DATABASE_STATEMENT_TIMEOUT", 0)
    if not default or (milliseconds and milliseconds <= default):
        yield
        return
    set_statement_timeout(milliseconds, using)
    try:
        yield
    finally:
        reset_statement_timeout(using)
