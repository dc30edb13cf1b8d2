"""Software Heritage: what the archive holds of each repository, and the requests to save
the ones it lacks (ADR 0018).

A check asks `visit/latest` for the origin forms the archive may use (catalog.models
Repository.archive_origins), then, where the harvest knows the head commit, one `known/`
call per 1,000 archived repositories says whether that commit is in the archive. Only the
repositories checked to the end are written: an error, a timeout or a spent budget leaves
the others as they were (never downgraded), still due for the next run.
"""

from __future__ import annotations

import builtins
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from queue import Queue

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.enums import ArchiveState, SaveRequestStatus, SaveTaskStatus
from catalog.listing_cache import bump_catalog_version
from catalog.models import Repository, SaveRequest
from catalog.swh import SoftwareHeritage, revision_swhid, snapshot_swhid
from core.http import ForgeError, RateLimited
from core.signals import catalogue_changed
from core.text import clean_line, clean_text

logger = logging.getLogger(__name__)

# A head commit missing from the archive makes the copy outdated once pushed this long ago
# (the archive's own visits may take that long to come).
OUTDATED_AFTER = timedelta(days=30)
# Repositories checked, then written, together (and their heads asked in one known/ call).
CHUNK = 200
# Failed repositories in a row after which the archive is taken as down and the run stops.
MAX_ERRORS_IN_A_ROW = 5
ARCHIVE_FIELDS = [
    "archive_state",
    "archive_origin",
    "archive_visit_at",
    "archive_visit_status",
    "archive_snapshot",
    "archive_checked_at",
]


@dataclass
class CheckReport:
    checked: int = 0
    changed: int = 0
    states: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    stopped: str = ""
    reset_at: float | None = None

    def summary(self) -> str:
        states = ", ".join(f"{state} {count}" for state, count in sorted(self.states.items()))
        text = f"{self.checked} checked ({states or 'none'}), {self.changed} changed, "
        text += f"{self.requests} requests, {len(self.errors)} errors"
        return text + (f"; stopped: {self.stopped}" if self.stopped else "")


def find_visit(client: SoftwareHeritage, repository: Repository) -> tuple[str, dict | None]:
    """(origin, latest visit) as the archive knows the repository: the first form with a
    snapshot, else the first form visited without one, else ("", None)."""
    visited = ("", None)
    for origin in repository.archive_origins():
        visit = client.latest_visit(origin, require_snapshot=False)
        if visit is None:
            continue
        if not visit.get("snapshot"):
            # The latest visit failed or found nothing: an older one may hold a snapshot.
            visit = client.latest_visit(origin, require_snapshot=True) or visit
        if visit.get("snapshot"):
            return origin, visit
        visited = visited if visited[1] else (origin, visit)
    return visited


def archive_fields(
    repository: Repository, origin: str, visit: dict | None, *, head_known, now: datetime
) -> dict:
    """The archive columns for what the check found. `head_known`: whether the head commit
    is in the archive, None when that could not be asked."""
    if visit is None:
        return {
            "archive_state": ArchiveState.ABSENT,
            "archive_origin": "",
            "archive_visit_at": None,
            "archive_visit_status": "",
            "archive_snapshot": "",
            "archive_checked_at": now,
        }
    visit_at = parse_datetime(str(visit.get("date") or "")) if visit.get("date") else None
    snapshot = snapshot_swhid(visit.get("snapshot"))
    state = ArchiveState.ARCHIVED if snapshot else ArchiveState.NO_SNAPSHOT
    pushed = repository.pushed_at
    # The head commit missing, or (without it) a push the archive has not visited since,
    # and that push over a month old.
    if snapshot and pushed and pushed < now - OUTDATED_AFTER:
        missed = head_known is False or (head_known is None and visit_at and pushed > visit_at)
        state = ArchiveState.OUTDATED if missed else state
    return {
        "archive_state": state,
        "archive_origin": origin[:1000],
        "archive_visit_at": visit_at,
        "archive_visit_status": clean_line(str(visit.get("status") or ""), max_length=16),
        "archive_snapshot": snapshot,
        "archive_checked_at": now,
    }


def _heads_known(client: SoftwareHeritage, found: list, report: CheckReport) -> dict[str, bool]:
    """{swhid: known} for the head commits of the archived repositories in `found`."""
    swhids = [
        revision_swhid(repository.head_commit)
        for repository, _origin, visit in found
        if visit and visit.get("snapshot") and revision_swhid(repository.head_commit)
    ]
    if not swhids:
        return {}
    try:
        return client.known(swhids)
    except ForgeError as exc:
        report.errors.append(f"known/: {exc}")
        return {}


def check_repositories(
    repositories, *, client: SoftwareHeritage, now: datetime | None = None, workers: int = 1
) -> CheckReport:
    """Check each repository of the iterable (forge selected) and write what was found,
    CHUNK at a time. `workers` > 1 asks the archive that many repositories at once (each
    on its own connection): with a token's budget, latency is what bounds a run."""
    now = now or timezone.now()
    report = CheckReport()
    clients = [client, *(client.clone() for _ in range(workers - 1))]
    start_requests = sum(c.requests for c in clients)
    idle = Queue()  # a client per worker, each on its own connection
    for one_client in clients:
        idle.put(one_client)

    def visit_of(repository):
        one_client = idle.get()
        try:
            return repository, *find_visit(one_client, repository), None
        except ForgeError as exc:  # RateLimited included
            return repository, "", None, exc
        finally:
            idle.put(one_client)

    in_a_row = 0
    try:
        with ThreadPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
            iterator = iter(repositories)
            while chunk := list(islice(iterator, CHUNK)):
                answers = (pool or builtins).map(visit_of, chunk)
                found, in_a_row = _checked(answers, report, in_a_row)
                _write(found, client=client, report=report, now=now, ask_heads=not report.stopped)
                if report.stopped:
                    break
    finally:
        for extra in clients[1:]:
            extra.close()
    report.requests = sum(c.requests for c in clients) - start_requests
    if report.changed:
        bump_catalog_version()
        catalogue_changed.send(sender=Repository)
    return report


def _checked(answers, report: CheckReport, in_a_row: int) -> tuple[list, int]:
    """([(repository, origin, visit)] of the answers checked to the end, failures in a row)
    up to the first spent budget or the MAX_ERRORS_IN_A_ROW-th failure in a row."""
    found = []
    for repository, origin, visit, error in answers:
        if isinstance(error, RateLimited):
            report.stopped, report.reset_at = str(error), error.reset_at
            break
        if error is not None:
            report.errors.append(f"{repository.web_url}: {error}")
            in_a_row += 1
            if in_a_row >= MAX_ERRORS_IN_A_ROW:
                report.stopped = f"{in_a_row} repositories failed in a row: {error}"
                break
            continue
        in_a_row = 0
        found.append((repository, origin, visit))
    return found, in_a_row


def _write(batch, *, client, report: CheckReport, now: datetime, ask_heads: bool = True):
    if not batch:
        return
    known = _heads_known(client, batch, report) if ask_heads else {}
    changed = []
    for repository, origin, visit in batch:
        swhid = revision_swhid(repository.head_commit)
        values = archive_fields(
            repository, origin, visit, head_known=known.get(swhid) if swhid else None, now=now
        )
        report.checked += 1
        report.states[values["archive_state"]] += 1
        if values["archive_state"] != repository.archive_state:
            report.changed += 1
        for name, value in values.items():
            setattr(repository, name, value)
        changed.append(repository)
    Repository.objects.bulk_update(changed, ARCHIVE_FIELDS)


def check_due(
    *, client: SoftwareHeritage, limit: int, now: datetime | None = None, workers: int = 1
) -> CheckReport:
    """Check the due repositories (Repository.objects.archive_due), `limit` at most."""
    now = now or timezone.now()
    ids = list(Repository.objects.archive_due(now).values_list("pk", flat=True)[:limit])
    return check_repositories(_in_chunks(ids), client=client, now=now, workers=workers)


def _in_chunks(ids: list[int]):
    """The repositories of `ids`, in that order, read CHUNK at a time."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = Repository.objects.select_related("forge").only(
            "web_url", "forge__kind", "pushed_at", "head_commit", *ARCHIVE_FIELDS
        )
        by_id = rows.in_bulk(chunk)
        yield from (by_id[pk] for pk in chunk if pk in by_id)


def find_repository(url: str) -> Repository | None:
    """The visible repository at a web address (with or without a trailing / or .git)."""
    url = url.strip().rstrip("/")
    if url.endswith(".git"):
        url = url[:-4]
    candidates = [url, url + "/", url + ".git"]
    return (
        Repository.objects.visible()
        .select_related("forge")
        .filter(web_url__in=candidates)
        .order_by("pk")
        .first()
    )


# --- Save Code Now ---------------------------------------------------------------------


@dataclass
class SaveReport:
    queued: int = 0
    skipped: int = 0
    sent: int = 0
    followed: int = 0
    finished: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: str = ""

    def summary(self) -> str:
        text = (
            f"{self.queued} queued, {self.skipped} skipped (a request is open), {self.sent} "
            f"sent, {self.followed} followed ({self.finished} finished), "
            f"{len(self.errors)} errors"
        )
        return text + (f"; stopped: {self.stopped}" if self.stopped else "")


def queue_saves(repositories, *, user=None) -> SaveReport:
    """Queue a save request for each visible repository of the queryset that has none
    open; the hourly task sends them within the budget."""
    report = SaveReport()
    with transaction.atomic():
        candidates = list(
            repositories.visible().select_related("forge").only("web_url", "forge__kind")
        )
        busy = set(
            SaveRequest.objects.open()
            .filter(repository__in=[r.pk for r in candidates])
            .values_list("repository_id", flat=True)
        )
        new = []
        for repository in candidates:
            if repository.pk in busy:
                report.skipped += 1
                continue
            origin = repository.archive_origin or repository.archive_origins()[0]
            new.append(SaveRequest(repository=repository, origin_url=origin, requested_by=user))
        SaveRequest.objects.bulk_create(new)
        report.queued = len(new)
    return report


def queue_nightly(*, limit: int) -> SaveReport:
    """Queue the absent and outdated originals (Repository.objects.to_archive), `limit` at
    most, the most recently pushed first."""
    open_ids = SaveRequest.objects.open().values("repository_id")
    ids = list(
        Repository.objects.to_archive()
        .exclude(pk__in=open_ids)
        .order_by("-pushed_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return queue_saves(Repository.objects.filter(pk__in=ids))


def _apply(request: SaveRequest, data: dict, *, now: datetime) -> None:
    """Copy Software Heritage's view of a save request onto ours."""
    if isinstance(data.get("id"), int):
        request.swh_id = data["id"]
    status = str(data.get("save_request_status") or "")
    if status in SaveRequestStatus.values and status != SaveRequestStatus.QUEUED:
        request.request_status = status
    task = str(data.get("save_task_status") or "")
    if task in SaveTaskStatus.values:
        request.task_status = task
    request.visit_status = clean_line(str(data.get("visit_status") or ""), max_length=16)
    visit_date = data.get("visit_date")
    request.visit_at = parse_datetime(str(visit_date)) if visit_date else None
    snapshot = str(data.get("snapshot_swhid") or "")
    request.snapshot = snapshot if snapshot.startswith("swh:1:snp:") else ""
    request.note = clean_text(str(data.get("note") or ""))[:2000]
    request.followed_at = now


def send_queued(*, client: SoftwareHeritage, budget: int, now: datetime | None = None):
    """Send the oldest queued requests, as many as the hourly budget has left."""
    now = now or timezone.now()
    report = SaveReport()
    spent = SaveRequest.objects.filter(sent_at__gte=now - timedelta(hours=1)).count()
    for request in SaveRequest.objects.queued()[: max(budget - spent, 0)]:
        try:
            data = client.save(request.origin_url)
        except RateLimited as exc:
            report.stopped = str(exc)
            break
        except ForgeError as exc:
            if exc.status not in (400, 403):
                # The archive is down or slow: the request stays queued for the next hour.
                report.errors.append(f"{request.origin_url}: {exc}")
                report.stopped = str(exc)
                break
            # 403: the archive refuses this URL's prefix; 400: it finds the URL invalid.
            request.request_status = (
                SaveRequestStatus.REJECTED if exc.status == 403 else SaveRequestStatus.FAILED
            )
            request.note = exc.reason or str(exc)
            request.sent_at = request.followed_at = now
            request.save()
            report.errors.append(f"{request.origin_url}: {exc.reason or exc}")
            continue
        _apply(request, data, now=now)
        request.sent_at = now
        request.save()
        report.sent += 1
    return report


def follow_sent(*, client: SoftwareHeritage, now: datetime | None = None) -> SaveReport:
    """Ask where each sent, unfinished request stands; check the repositories whose save
    succeeded again, so their pages say archived at once."""
    now = now or timezone.now()
    report = SaveReport()
    succeeded = []
    for request in SaveRequest.objects.unfinished().select_related("repository__forge"):
        try:
            data = client.save_status(request.swh_id)
        except RateLimited as exc:
            report.stopped = str(exc)
            break
        except ForgeError as exc:
            report.errors.append(f"{request.origin_url}: {exc}")
            continue
        _apply(request, data, now=now)
        request.save()
        report.followed += 1
        if request.task_status in (SaveTaskStatus.SUCCEEDED, SaveTaskStatus.FAILED):
            report.finished += 1
        if request.task_status == SaveTaskStatus.SUCCEEDED:
            succeeded.append(request.repository)
    if succeeded and not report.stopped:
        check_repositories(succeeded, client=client, now=now)
    return report
