"""Sending Celery tasks from a web request without ever failing the request.

When Redis (the broker) is down or hung, ``apply_async`` raises after the short timeouts
and retries set in settings (CELERY_BROKER_TRANSPORT_OPTIONS, …). A request that sends a
task calls ``enqueue`` instead, gets False, and tells the user the work was not queued.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import current_app
from django.core.cache import cache
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What sending raises when the broker cannot be reached: kombu wraps the transport's errors
# in OperationalError; Redis's own, in case a path lets them through.
BROKER_UNAVAILABLE = (OperationalError, RedisConnectionError, RedisTimeoutError)


def tasks_run_in_process() -> bool:
    """No worker: tasks run eagerly in the calling process (no Redis: `make run`, `make dev`)."""
    return bool(current_app.conf.task_always_eager)


def enqueue(task, *args, **options) -> bool:
    """Send ``task(*args)`` (``options`` as for ``apply_async``, e.g. ``countdown``):
    whether the broker took it. A failure is logged, never raised."""
    try:
        task.apply_async(args, **options)
    except BROKER_UNAVAILABLE as exc:
        logger.warning("task %s%r not queued, broker unavailable: %s", task.name, args, exc)
        return False
    return True


def enqueue_each(task, arguments: Iterable[tuple], **options) -> int:
    """Send ``task(*args)`` for each tuple of ``arguments``: how many were queued.

    Stops at the first failure: the broker is down, and every next task would only wait
    for the same timeout before failing too."""
    queued = 0
    for args in arguments:
        if not enqueue(task, *args, **options):
            break
        queued += 1
    return queued


def enqueue_after_commit_once(task, *, flag: str, flag_timeout: int, countdown: int) -> None:
    """Send ``task()`` `countdown` seconds after the current transaction commits, unless the
    cache key `flag` says one is already on its way: the task deletes `flag` when it starts,
    so 300 harvest runs ending within the delay share one task; `flag_timeout` (longer than
    `countdown`) lets the next call send another if that one was lost.

    Redis down: the flag cannot be set, and nothing is sent (the broker is the same Redis).
    Nothing here raises into the caller (a harvest run that changed the catalogue)."""

    def send():
        if cache.add(flag, 1, timeout=flag_timeout) and not enqueue(task, countdown=countdown):
            cache.delete(flag)  # the next call asks again

    transaction.on_commit(send, robust=True)
