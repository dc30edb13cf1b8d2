"""The summaries of the broad repository listings, computed before any visitor asks.

/depots/ and its single-filter variants (`?language=Java`, `?license=free`…) count their
results and facets over most of the table (catalog.filters.listing_summary): ~200 ms at
100,000 repositories, near the web's 2 s statement timeout at a million. Each write to the
catalogue makes every cached summary stale (catalog.listing_cache), so the first visitor of
each broad page after a harvest would pay for it, or get a 503. warm_listing_summaries()
computes them in a worker, under exactly the keys the view reads. See ADR 0013.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import QueryDict

from catalog import filters, listing_cache
from catalog.models import Repository
from core.db import longer_statements
from core.listing import bind_filters

logger = logging.getLogger(__name__)

# The facets whose links the sidebar shows (templates/catalog/includes/_repository_listing
# .html), as many values each as it shows. Not the owners: too many to matter one by one.
SIDEBAR_FACETS = ("license", "language", "forge", "topic", "ministry", "public_body", "swh")
SIDEBAR_VALUES = 8
# Facets warmed for every value the summary lists, not the first eight only: the ministries
# are a short, closed list (one per government department), each linked from the
# ministries' and statistics' pages and offered in the sidebar's select, and each one's
# listing counts a twentieth of the catalogue: ~1 s uncached at 1,000,000 repositories.
EVERY_VALUE_FACETS = frozenset({"ministry"})

# catalog.tasks.schedule_listing_warmup: the delay after a catalogue change, and the flag
# that makes the changes ending before the task starts share that one run.
WARMUP_DELAY = 60
WARMUP_FLAG_KEY = "catalog:listing-warmup:scheduled"
WARMUP_FLAG_TIMEOUT = 120


@dataclass
class WarmupReport:
    version: int
    computed: int = 0
    # Already in the cache (a visitor or an earlier run computed them): kept TIMEOUT longer.
    present: int = 0
    # The catalogue changed before the end: the run stopped, the next one starts over.
    stale: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        end = "stopped: the catalogue changed meanwhile" if self.stale else "done"
        return (
            f"listing summaries of catalogue version {self.version}: {self.computed} computed, "
            f"{self.present} already cached, {self.seconds:.1f} s, {end}"
        )


def broad_listings(default_summary: dict) -> list[QueryDict]:
    """The parameters of the listings the default one links to in its sidebar: one filter
    each, set to one of the first values of its facet (every value of the facets in
    EVERY_VALUE_FACETS), as a visitor's click sends them."""
    facets = default_summary["facets"]
    return [
        QueryDict(urlencode({facet: value}))
        for facet in SIDEBAR_FACETS
        for value, _count, _label in facets.get(facet, [])[
            : None if facet in EVERY_VALUE_FACETS else SIDEBAR_VALUES
        ]
    ]


def warm_listing_summaries() -> WarmupReport:
    """Compute and cache, for the current catalogue version, the summary of /depots/ and of
    each listing its sidebar links to (broad_listings); those already cached are kept
    another listing_cache.TIMEOUT. Stops, writing nothing more, as soon as the version
    changes: what it would compute could be older than the new version says."""
    started = time.monotonic()
    version = listing_cache.catalog_version()
    report = WarmupReport(version=version)
    # A worker has no statement timeout; a web process (in-process tasks, a shell) has 2 s.
    with longer_statements(0):
        default = _stored(QueryDict(), version=version, report=report)
        if default is not None:
            for params in broad_listings(default):
                if _stored(params, version=version, report=report) is None:
                    break
    report.seconds = time.monotonic() - started
    logger.info("%s", report.summary())
    return report


def _stored(params: QueryDict, *, version: int, report: WarmupReport) -> dict | None:
    """The summary of the listing for `params` under the key repository_listing reads, for
    catalogue `version`: from the cache, else computed and stored. None when the catalogue
    is no longer at `version` (report.stale)."""
    key = listing_cache.key_for("facets", params, version=version)
    summary = cache.get(key)
    if summary is not None:
        cache.touch(key, listing_cache.TIMEOUT)
        report.present += 1
        return summary
    if listing_cache.catalog_version() != version:
        report.stale = True
        return None
    # As the view binds them (core.listing.Listing.response): invalid values are dropped.
    filterset, _rows = bind_filters(filters.RepositoryFilter, params, Repository.objects.visible())
    summary = filters.listing_summary(filterset)
    # Written under the version read at the start only, and only if it is still current:
    # a version bumped meanwhile may mean rows this summary missed.
    if listing_cache.catalog_version() != version:
        report.stale = True
        return None
    cache.set(key, summary, timeout=listing_cache.TIMEOUT)
    report.computed += 1
    return summary
