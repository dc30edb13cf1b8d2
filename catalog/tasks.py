"""Celery tasks of the catalogue: a few lines each, calling a service."""

import logging
import time
import uuid
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from catalog import crawler, exports, swh
from catalog.models import HarvestRun
from catalog.services import (
    archive,
    directory_import,
    harvest,
    libraries,
    listing_warmup,
    package_usage,
)
from catalog.services.accounts_import import AccountsDownloadError, read_source
from catalog.services.accounts_import import import_accounts as import_accounts_service
from core.tasks import enqueue, enqueue_after_commit_once, tasks_run_in_process

logger = logging.getLogger(__name__)


@contextmanager
def harvest_lock(name: str, *, expires: int | None = None):
    """A non-blocking lock in the cache (Redis in production): yields whether we hold it.
    It expires after `expires` seconds (a task killed at its hard limit frees it then); by
    default a minute after a harvest's time limit.

    Each call to Redis has the cache's timeout; while Redis is unreachable the lock is
    never acquired (the cache's add() is then False), so no harvest runs unguarded."""
    key, token = f"harvest-lock:{name}", uuid.uuid4().hex
    expires = expires or settings.HARVEST_TASK_TIME_LIMIT + 60
    acquired = cache.add(key, token, timeout=expires)
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)


def _limits():
    limit = settings.HARVEST_TASK_TIME_LIMIT
    return {"soft_time_limit": limit, "time_limit": limit + 60}


@shared_task(name="catalog.harvest_owner", **_limits())
def harvest_owner(owner_id: int, full: bool = False):
    with harvest_lock(f"owner:{owner_id}") as acquired:
        if not acquired:
            logger.info("owner %s skipped: locked by another run, or Redis unreachable", owner_id)
            return "locked"
        return harvest.harvest_owner(owner_id=owner_id, full=full).status


@shared_task(name="catalog.harvest_forge", **_limits())
def harvest_forge(forge_id: int, full: bool = False):
    with harvest_lock(f"forge:{forge_id}") as acquired:
        if not acquired:
            logger.info("forge %s skipped: locked by another run, or Redis unreachable", forge_id)
            return "locked"
        return harvest.harvest_forge(forge_id=forge_id, full=full).status


@shared_task(name="catalog.harvest_all", soft_time_limit=120, time_limit=180)
def harvest_all(full: bool = False):
    """Fan out one task per listed owner and per forge harvested whole."""
    owners, forges = harvest.targets()
    owner_ids = list(owners.values_list("pk", flat=True))
    forge_ids = list(forges.values_list("pk", flat=True))

    def enqueue():
        for owner_id in owner_ids:
            harvest_owner.delay(owner_id, full)
        for forge_id in forge_ids:
            harvest_forge.delay(forge_id, full)

    transaction.on_commit(enqueue)
    return {"owners": len(owner_ids), "forges": len(forge_ids)}


@shared_task(
    name="catalog.import_accounts",
    soft_time_limit=120,
    time_limit=180,
    autoretry_for=(AccountsDownloadError,),
    retry_backoff=True,
    max_retries=3,
)
def import_accounts(source: str = ""):
    report = import_accounts_service(text=read_source(source or settings.ACCOUNTS_URL or None))
    return report.summary()


@shared_task(
    name="catalog.import_public_bodies",
    soft_time_limit=900,
    time_limit=960,
    autoretry_for=(directory_import.DirectoryDownloadError,),
    retry_backoff=True,
    max_retries=3,
)
def import_public_bodies():
    """The State's directory at PUBLIC_BODIES_DIRECTORY_URL; nothing when it is unset."""
    source = settings.PUBLIC_BODIES_DIRECTORY_URL
    if not source:
        logger.info("public bodies directory: PUBLIC_BODIES_DIRECTORY_URL is not set, skipped")
        return "not configured"
    with directory_import.opened(source) as path:
        report = directory_import.import_directory(path)
    logger.info("public bodies directory: %s", report.summary())
    return report.summary()


@shared_task(name="catalog.export_dumps", soft_time_limit=1800, time_limit=1900)
def export_dumps_task():
    metadata = exports.export_dumps(directory=exports.dumps_directory())
    return metadata["counts"]


WARM_LISTINGS_LIMIT = 660


@shared_task(name="catalog.warm_listings", soft_time_limit=600, time_limit=WARM_LISTINGS_LIMIT)
def warm_listings():
    # Changes from now on ask for another run: their writes may come too late for this one.
    cache.delete(listing_warmup.WARMUP_FLAG_KEY)
    with harvest_lock("listing-warmup", expires=WARM_LISTINGS_LIMIT) as acquired:
        if not acquired:
            logger.info("listing warm-up skipped: another one runs, or Redis unreachable")
            return "locked"
        return listing_warmup.warm_listing_summaries().summary()


def schedule_listing_warmup(**_kwargs) -> None:
    """Ask for the broad listings' summaries of the new catalogue once the current
    transaction commits.

    Receiver of core.signals.catalogue_changed (a harvest run or a SILL import ended). The
    task runs WARMUP_DELAY seconds later; the cache flag makes every change ending before it
    starts share that one run. Nothing when tasks run in-process (no Redis: make run, make
    dev): the cache is then the web process's own memory, so warming it would make the
    request that ended the harvest compute some fifty summaries for one worker of several."""
    if tasks_run_in_process():
        return
    enqueue_after_commit_once(
        warm_listings,
        flag=listing_warmup.WARMUP_FLAG_KEY,
        flag_timeout=listing_warmup.WARMUP_FLAG_TIMEOUT,
        countdown=listing_warmup.WARMUP_DELAY,
    )


# The packages' counts of /dependances/ (catalog.services.package_usage): one count a
# minute after the first harvest run that changed the catalogue serves every run ending
# meanwhile.
PACKAGE_USAGE_FLAG_KEY = "catalog:package-usage-queued"
PACKAGE_USAGE_FLAG_TIMEOUT = 15 * 60
PACKAGE_USAGE_DELAY = 60
PACKAGE_USAGE_LIMIT = 960


@shared_task(
    name="catalog.refresh_package_usage", soft_time_limit=900, time_limit=PACKAGE_USAGE_LIMIT
)
def refresh_package_usage():
    # Changes from now on ask for another count: this one may have read before them.
    cache.delete(PACKAGE_USAGE_FLAG_KEY)
    with harvest_lock("package-usage", expires=PACKAGE_USAGE_LIMIT) as acquired:
        if not acquired:
            # The count running may have read before the changes that asked for this one:
            # count again after it (bounded by the lock's expiry).
            logger.info("package usage postponed: another count runs, or Redis unreachable")
            if not tasks_run_in_process():
                enqueue(refresh_package_usage, countdown=PACKAGE_USAGE_DELAY)
            return "locked"
        return package_usage.refresh_package_usage()


def schedule_package_usage(sender=None, **_kwargs) -> None:
    """Ask for the packages' counts once a harvest run's transaction commits: only harvests
    write manifests, forks and gone repositories. Receiver of core.signals.catalogue_changed.
    When tasks run in-process (make run, make dev: a small catalogue), counted at once."""
    if sender is not HarvestRun:
        return
    if tasks_run_in_process():
        transaction.on_commit(package_usage.refresh_package_usage, robust=True)
        return
    enqueue_after_commit_once(
        refresh_package_usage,
        flag=PACKAGE_USAGE_FLAG_KEY,
        flag_timeout=PACKAGE_USAGE_FLAG_TIMEOUT,
        countdown=PACKAGE_USAGE_DELAY,
    )


# The crawler catalogue (catalog.crawler): asked for by every harvest run that changed the
# catalogue and by requests that find the file older than the catalogue; one write a minute
# after the first ask serves them all.
CRAWLER_FLAG_KEY = "catalog:crawler-catalogue-queued"
CRAWLER_FLAG_TIMEOUT = 15 * 60
CRAWLER_DELAY = 60


CRAWLER_LIMIT = 1900


@shared_task(name="catalog.write_crawler_catalog", soft_time_limit=1800, time_limit=CRAWLER_LIMIT)
def write_crawler_catalog():
    # Changes from now on ask for another write: this one may have read before them.
    cache.delete(CRAWLER_FLAG_KEY)
    with harvest_lock("crawler-catalog", expires=CRAWLER_LIMIT) as acquired:
        if not acquired:
            logger.info("crawler catalogue skipped: another write runs, or Redis unreachable")
            return "locked"
        return crawler.write()


def schedule_crawler_catalog(**_kwargs) -> None:
    """Ask for a new crawler catalogue CRAWLER_DELAY seconds after the current transaction
    commits, once for every ask until it starts. Receiver of core.signals.catalogue_changed.
    Nothing when tasks run in-process: requests then stream the document from the
    database (a catalogue small enough to), and a request must not write 100 MB."""
    if tasks_run_in_process():
        return
    enqueue_after_commit_once(
        write_crawler_catalog,
        flag=CRAWLER_FLAG_KEY,
        flag_timeout=CRAWLER_FLAG_TIMEOUT,
        countdown=CRAWLER_DELAY,
    )


@shared_task(
    name="catalog.check_archive",
    soft_time_limit=settings.SWH_CHECK_TIME_LIMIT,
    time_limit=settings.SWH_CHECK_TIME_LIMIT + 60,
)
def check_archive():
    """Check the due repositories with Software Heritage; when its budget runs out, come
    back at the reset for the rest (still due: nothing was written for them)."""
    with harvest_lock("archive-check", expires=settings.SWH_CHECK_TIME_LIMIT + 60) as acquired:
        if not acquired:
            logger.info("archive check skipped: another one runs, or Redis unreachable")
            return "locked"
        with swh.client_from_settings() as client:
            report = archive.check_due(
                client=client, limit=settings.SWH_CHECK_LIMIT, workers=settings.SWH_CHECK_WORKERS
            )
    logger.info("archive check: %s", report.summary())
    if report.reset_at:
        check_archive.apply_async(countdown=max(int(report.reset_at - time.time()), 0) + 5)
    return report.summary()


# The nightly option queues its requests during these hours (Europe/Paris).
NIGHT_HOURS = range(0, 6)


@shared_task(name="catalog.send_save_requests", soft_time_limit=900, time_limit=960)
def send_save_requests():
    """Hourly: queue the nightly requests (SWH_SAVE_NIGHTLY, at night), send the queued
    ones within SWH_SAVE_HOURLY_BUDGET, then follow those sent."""
    with harvest_lock("save-requests", expires=960) as acquired:
        if not acquired:
            logger.info("save requests skipped: another run is sending, or Redis unreachable")
            return "locked"
        budget = settings.SWH_SAVE_HOURLY_BUDGET
        if settings.SWH_SAVE_NIGHTLY and timezone.localtime().hour in NIGHT_HOURS:
            archive.queue_nightly(limit=budget)
        with swh.client_from_settings() as client:
            sent = archive.send_queued(client=client, budget=budget)
            followed = archive.follow_sent(client=client)
    return f"{sent.summary()} / {followed.summary()}"


@shared_task(
    name="catalog.check_registries",
    soft_time_limit=settings.REGISTRY_CHECK_TIME_LIMIT,
    time_limit=settings.REGISTRY_CHECK_TIME_LIMIT + 60,
)
def check_registries():
    """Weekly: ask the package registries where the due packages come from (ADR 0021); a
    registry that throttles or fails is left for next week, the others go on."""
    expires = settings.REGISTRY_CHECK_TIME_LIMIT + 60
    with harvest_lock("registry-check", expires=expires) as acquired:
        if not acquired:
            logger.info("registry check skipped: another one runs, or Redis unreachable")
            return "locked"
        report = libraries.check_registries(limit=settings.REGISTRY_CHECK_LIMIT)
    logger.info("registry check: %s", report.summary())
    return report.summary()
