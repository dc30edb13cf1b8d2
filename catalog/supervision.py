"""What the admin's harvest dashboard shows."""

from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from catalog.enums import RunStatus
from catalog.models import HarvestRun, Owner

FAILING_RUNS = 3


def last_day_counts(*, now=None) -> dict:
    """Runs started in the last 24 hours, by status."""
    since = (now or timezone.now()) - timedelta(hours=24)
    rows = HarvestRun.objects.filter(started_at__gte=since).values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    return {
        "ok": counts.get(RunStatus.OK, 0),
        "failed": counts.get(RunStatus.FAILED, 0),
        "rate_limited": counts.get(RunStatus.RATE_LIMITED, 0),
        "running": counts.get(RunStatus.RUNNING, 0),
    }


def failing_owners(limit: int = 20):
    """Owners whose runs failed more than FAILING_RUNS times since their last success."""
    failed = Q(harvest_runs__status__in=[RunStatus.FAILED, RunStatus.RATE_LIMITED])
    since_success = Q(owner_last_success__isnull=True) | Q(
        harvest_runs__started_at__gt=F("owner_last_success")
    )
    return (
        Owner.objects.alias(owner_last_success=F("last_success_at"))
        .annotate(failures=Count("harvest_runs", filter=failed & since_success))
        .filter(failures__gt=FAILING_RUNS)
        .select_related("forge")
        .order_by("-failures", "path")[:limit]
    )
