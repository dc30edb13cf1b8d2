"""Database helpers that know no model of the project."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connections


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
