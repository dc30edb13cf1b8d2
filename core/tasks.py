"""Sending Celery tasks from a web request without ever failing the request.

When Redis (the broker) is down or hung, ``apply_async`` raises after the short timeouts
and retries set in settings (CELERY_BROKER_TRANSPORT_OPTIONS, …). A request that sends a
task calls ``enqueue`` instead, gets False, and tells the user the work was not queued.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What sending raises when the broker cannot be reached: kombu wraps the transport's errors
# in OperationalError; Redis's own, in case a path lets them through.
BROKER_UNAVAILABLE = (OperationalError, RedisConnectionError, RedisTimeoutError)


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
