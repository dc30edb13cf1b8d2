"""Cache of what a listing computes over its whole result set (count, facet counts).

Keys carry a catalogue version that every write to the catalogue bumps, so a harvest that
changes repositories makes every cached listing stale at once without scanning keys.
"""

import hashlib

from django.core.cache import cache
from django.db import transaction

from core.cache import bump_version, current_version

VERSION_KEY = "catalog:version"
TIMEOUT = 15 * 60
IGNORED_PARAMS = {"page", "sort", "per_page", "format"}
# Bump when the shape of what is cached changes, so a deployment never reads old entries.
SCHEMA = 2


def catalog_version() -> int:
    return current_version(VERSION_KEY)


def bump_catalog_version() -> None:
    """Call after writing repositories or owners. Bumped at once and again when the
    transaction commits: a visitor reading between the two would otherwise cache the old
    rows under the new version, kept until the next change (the warm-up keeps them)."""
    bump_version(VERSION_KEY)
    transaction.on_commit(lambda: bump_version(VERSION_KEY), robust=True)


def key_for(
    kind: str, params, scope: str = "", *, every_param: bool = False, leave_out=(), version=None
) -> str:
    """A cache key for `params`; with `every_param`, sort, page and size count too; the
    parameters in `leave_out` never do. `version`: the catalogue version when the caller
    already read it (one cache read per request rather than one per key)."""
    ignored = (set() if every_param else IGNORED_PARAMS) | set(leave_out)
    items = sorted(
        (name, value)
        for name in params
        if name not in ignored
        for value in params.getlist(name)
        if value
    )
    digest = hashlib.sha256(repr((scope, items)).encode()).hexdigest()[:32]
    if version is None:
        version = catalog_version()
    return f"catalog:{kind}:s{SCHEMA}:{version}:{digest}"


def cached(key: str, compute):
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=TIMEOUT)
    return value
