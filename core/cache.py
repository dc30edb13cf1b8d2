"""A Redis cache that degrades to "no cache" when Redis is down or does not answer.

Pages read the cache on every request (navigation, counters, listing counts, fragments).
With Django's RedisCache a Redis that is down turns each of those reads into a 500, and a
Redis that accepts connections but never answers makes every call wait for its timeout.
``ResilientRedisCache`` is Django's RedisCache (keys, versions, timeouts, serialisation
unchanged) whose operations, when Redis fails to connect or to answer in time:

- behave as a miss or a no-op: ``get()`` gives the default, ``get_many()`` ``{}``,
  ``add()``, ``touch()``, ``delete()`` and ``has_key()`` ``False``, ``set_many()`` every key
  (as failed), ``set()``, ``delete_many()`` nothing, ``incr()``/``decr()`` raise
  ``ValueError`` as Django does for a missing key;
- open a per-process circuit breaker: Redis is left alone for ``BACKOFF`` seconds, then one
  call tries it again. A hung Redis costs one socket timeout per process per back-off,
  not one per cache call;
- log a warning when Redis becomes unreachable (repeated at most every ``WARN_EVERY``
  seconds while it stays so), and one line when it answers again.

Errors that are not about reaching Redis (a wrong value type, a bad key) still raise.
The health check must see Redis as it is: ``probe()`` bypasses all of the above.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Failures that mean "Redis cannot be reached right now" (refused, reset, timed out,
# still loading its data, too many clients). OSError: raw socket errors redis-py lets through.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)

_MISSING = object()


class CircuitBreaker:
    """Whether to call a service that just failed: not before ``backoff`` seconds have
    passed, then by one caller at a time until a call succeeds. Shared by the threads of a
    process; each process has its own."""

    def __init__(self, name: str, *, backoff: float, warn_every: float):
        self.name = name
        self.backoff = backoff
        self.warn_every = warn_every
        self._lock = threading.Lock()
        self._retry_at = 0.0  # time.monotonic() before which calls are skipped
        self._down_since: float | None = None
        self._warned_at: float | None = None

    @property
    def is_open(self) -> bool:
        return self._down_since is not None

    def allows(self) -> bool:
        if self._down_since is None:
            return True
        now = time.monotonic()
        with self._lock:
            if self._down_since is None:
                return True
            if now < self._retry_at:
                return False
            # This call is the trial; the others keep skipping until it ends.
            self._retry_at = now + self.backoff
            return True

    def failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._retry_at = now + self.backoff
            if self._down_since is None:
                self._down_since = now
            warn = self._warned_at is None or now - self._warned_at >= self.warn_every
            if warn:
                self._warned_at = now
            down_for = now - self._down_since
        if warn:
            logger.warning(
                "Redis cache %s unreachable for %.0f s (%s: %s): serving without the cache, "
                "next try in %g s",
                self.name,
                down_for,
                type(exc).__name__,
                exc,
                self.backoff,
            )

    def succeeded(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            down_since, self._down_since = self._down_since, None
            self._warned_at, self._retry_at = None, 0.0
        if down_since is not None:
            logger.info(
                "Redis cache %s answers again after %.0f s",
                self.name,
                time.monotonic() - down_since,
            )


_breakers: dict[tuple[str, ...], CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def _public_name(servers) -> str:
    """host:port/db of each server, without credentials (this goes to the logs)."""
    names = []
    for server in servers:
        parts = urlsplit(server)
        names.append(f"{parts.hostname}:{parts.port or 6379}{parts.path or ''}")
    return ",".join(names)


class ReusedRedisClient(RedisCacheClient):
    """Django's client, with one redis.Redis per connection pool rather than a new one for
    every cache call: building one (its ~200 response callbacks) cost ~0.2 ms, a dozen times
    a page. redis.Redis is safe to share between threads; the pool does the connections."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, as "no cache" while Redis is unreachable (see the module)."""

    # Seconds without calling Redis after a failure.
    BACKOFF = 10
    # Seconds between two warnings while Redis stays unreachable.
    WARN_EVERY = 60

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisClient
        # Django makes one cache object per thread: the breaker is shared by the process.
        key = tuple(self._servers)
        with _breakers_lock:
            if key not in _breakers:
                _breakers[key] = CircuitBreaker(
                    _public_name(self._servers), backoff=self.BACKOFF, warn_every=self.WARN_EVERY
                )
            self.breaker = _breakers[key]

    def _call(self, operation, *args, fallback=None):
        if not self.breaker.allows():
            return fallback
        try:
            result = operation(*args)
        except UNAVAILABLE as exc:
            self.breaker.failed(exc)
            return fallback
        self.breaker.succeeded()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, key, value, timeout, version, fallback=False)

    def get(self, key, default=None, version=None):
        return self._call(super().get, key, default, version, fallback=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, key, timeout, version, fallback=False)

    def delete(self, key, version=None):
        return self._call(super().delete, key, version, fallback=False)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, keys, version, fallback={})

    def has_key(self, key, version=None):
        return self._call(super().has_key, key, version, fallback=False)

    def incr(self, key, delta=1, version=None):
        value = self._call(super().incr, key, delta, version, fallback=_MISSING)
        if value is _MISSING:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, data, timeout, version, fallback=list(data))

    def delete_many(self, keys, version=None):
        self._call(super().delete_many, keys, version)

    def clear(self):
        return self._call(super().clear, fallback=False)


def probe(backend) -> bool:
    """Write, read back and delete a key: whether the value came back. Raises whatever goes
    wrong, for the health check must see the cache as it is (the breaker is bypassed)."""
    if isinstance(backend, ResilientRedisCache):
        backend = super(ResilientRedisCache, backend)
    key = f"healthz:{uuid.uuid4().hex}"
    backend.set(key, "1", timeout=5)
    answered = backend.get(key) == "1"
    backend.delete(key)
    return answered


def current_version(key: str) -> int:
    """The version number stored under ``key`` (1 until someone bumps it): cache keys that
    include it go stale at once when it is bumped, without scanning keys."""
    version = cache.get(key)
    if version is None:
        cache.add(key, 1, timeout=None)
        version = cache.get(key) or 1
    return version


def bump_version(key: str) -> None:
    """Make every cache key built on ``current_version(key)`` stale."""
    try:
        cache.incr(key)
    except ValueError:  # not set yet (or Redis unreachable: then nothing is cached either)
        cache.add(key, 2, timeout=None)
