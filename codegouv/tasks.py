from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from codegouv import statistics
from core.tasks import enqueue_after_commit_once

HEARTBEAT_CACHE_KEY = "celery:last-ping"


# ignore_result=False: operators (and CI) check a worker with ping.delay().get(); results
# of every other task are ignored (CELERY_TASK_IGNORE_RESULT).
@shared_task(name="codegouv.ping", soft_time_limit=10, time_limit=20, ignore_result=False)
def ping() -> str:
    """Answer "pong" and record when a worker last ran a task (shown by /healthz)."""
    cache.set(HEARTBEAT_CACHE_KEY, timezone.now().isoformat(), timeout=None)
    return "pong"


# Kept under its first name: queued tasks and the beat schedule name it so.
@shared_task(name="catalog.refresh_statistics", soft_time_limit=120, time_limit=180)
def refresh_statistics():
    return statistics.refresh()


def schedule_statistics_refresh(**_kwargs) -> None:
    """Ask for fresh /statistiques/ figures once the current transaction commits.

    Receiver of core.signals.catalogue_changed (a harvest run or a SILL import ended). The
    task runs a minute later; the cache flag makes every run ending before it starts share
    that one refresh (300 runs, one task)."""

    enqueue_after_commit_once(
        refresh_statistics,
        flag=statistics.REFRESH_FLAG_KEY,
        flag_timeout=statistics.REFRESH_FLAG_TIMEOUT,
        countdown=statistics.REFRESH_DELAY,
    )
