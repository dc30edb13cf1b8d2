from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "celery:last-ping"


# ignore_result=False: operators (and CI) check a worker with ping.delay().get(); results
# of every other task are ignored (CELERY_TASK_IGNORE_RESULT).
@shared_task(name="codegouv.ping", soft_time_limit=10, time_limit=20, ignore_result=False)
def ping() -> str:
    """Answer "pong" and record when a worker last ran a task (shown by /healthz)."""
    cache.set(HEARTBEAT_CACHE_KEY, timezone.now().isoformat(), timeout=None)
    return "pong"
