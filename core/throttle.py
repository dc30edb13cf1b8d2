"""A counting semaphore shared by every process of the site: at most N holders at once.

Used to bound work that is heavy and long, such as the full CSV/JSON exports of a listing
that stream megabytes while holding a gunicorn worker:

    slot = throttle.acquire("exports", limit=settings.EXPORT_MAX_CONCURRENT)
    if slot is None:
        return <a 429 page>
    return throttle.release_after_streaming(StreamingHttpResponse(...), slot)

Each of the N slots is a PostgreSQL session-level advisory lock, `(key of the name, slot
number)`, taken with the non-blocking `pg_try_advisory_lock`. Why the database rather than
the cache:

- a lock belongs to the database session: when a worker dies (killed by gunicorn's timeout,
  the OOM killer, a deploy), its connection closes and PostgreSQL frees the slot at once.
  Nothing to guess: no TTL that a slow download outlives (letting N+1 in) or that a dead
  worker keeps for minutes (letting N-1 in);
- every process that can serve a page already shares the database; when Redis is down, the
  limit still holds (a cache-based limit would have to let everything through, exactly
  when the site is struggling);
- one round trip per slot tried, no write.

Releasing: the lock is held by the connection of the thread that took it, which under WSGI
is the thread that iterates and then closes the response. `release_after_streaming` releases
when the content is exhausted, when iterating it fails, and when the WSGI server calls
`close()` on the response (Django calls `close()` on the content it streams): a client that
disconnects mid-download frees its slot. A connection closed meanwhile (CONN_MAX_AGE, error)
has already freed it. Session locks need a session: not behind a transaction-pooling
PgBouncer.

A database that refuses the query (an outage) lets the caller through: the
throttle protects the site, it never becomes a reason for a download to fail.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    """The first key of the advisory locks of `name`: a signed 32-bit integer."""
    value = zlib.crc32(f"codegouv.throttle:{name}".encode())
    return value - 2**32 if value >= 2**31 else value


def _held_slots(connection) -> set[tuple[int, int]]:
    """The (key, slot) locks this thread's database session holds through this module.

    Advisory locks are re-entrant within a session: without this record, a session that
    already holds slot 0 would take it again instead of moving on to slot 1. The record
    belongs to one session: a new connection (after a close) starts empty, as in PostgreSQL.
    """
    session = connection.connection
    record = getattr(connection, "_throttle_slots", None)
    if record is None or record[0] is not session:
        record = (session, set())
        connection._throttle_slots = record
    return record[1]


class Slot:
    """One place taken in a semaphore; `release()` gives it back (once; later calls do
    nothing). A slot taken without a database to count in holds nothing."""

    def __init__(self, name: str, number: int | None = None, connection=None):
        self.name, self.number = name, number
        self._connection = connection
        self._session = connection.connection if connection is not None else None
        self.released = False

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        connection = self._connection
        if connection is None or connection.connection is not self._session:
            return  # nothing held, or the session ended and PostgreSQL freed the lock
        key = lock_key(self.name)
        _held_slots(connection).discard((key, self.number))
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [key, self.number])
        except DatabaseError:
            logger.warning("throttle %s: could not release slot %s", self.name, self.number)
            if not connection.in_atomic_block:
                connection.close()  # ending the session frees its locks

    def __repr__(self):
        state = "released" if self.released else "held"
        return f"<Slot {self.name}#{self.number} {state}>"


def acquire(name: str, *, limit: int, using: str = DEFAULT_DB_ALIAS) -> Slot | None:
    """A slot of the semaphore `name` if fewer than `limit` are taken, else None.

    Never waits. If the database cannot count (an error, or not PostgreSQL), returns a slot
    that holds nothing: the caller goes ahead."""
    connection = connections[using]
    key = lock_key(name)
    try:
        connection.ensure_connection()
        held = _held_slots(connection)
        with connection.cursor() as cursor:
            for number in range(limit):
                if (key, number) in held:
                    continue
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [key, number])
                if cursor.fetchone()[0]:
                    held.add((key, number))
                    return Slot(name, number, connection)
    except DatabaseError:
        logger.warning("throttle %s: the database cannot count slots; letting through", name)
        return Slot(name)
    return None


def release_all(using: str = DEFAULT_DB_ALIAS) -> None:
    """Give back every slot this thread's database session holds, whatever the semaphore
    (for tests, which reuse one session)."""
    connection = connections[using]
    if connection.connection is None:
        return
    held = _held_slots(connection)
    with connection.cursor() as cursor:
        for key, number in held:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [key, number])
    held.clear()


class _ReleasingIterator:
    """Iterates `iterable`, then releases the slot: at the end, on an error, or on close()
    (which a WSGI server calls even when the client went away before the end)."""

    def __init__(self, iterable: Iterable, slot: Slot):
        self._iterator = iter(iterable)
        self._close = getattr(iterable, "close", None)
        self._slot = slot

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._iterator)
        except BaseException:  # StopIteration included: the download is complete
            self._slot.release()
            raise

    def close(self):
        try:
            if self._close is not None:
                self._close()
        finally:
            self._slot.release()


def release_after_streaming(response, slot: Slot):
    """`response` (a StreamingHttpResponse) whose `slot` is released once it is sent or
    closed, never before: the stream outlives the view that took the slot."""
    response.streaming_content = _ReleasingIterator(response.streaming_content, slot)
    return response
