"""The SILL's version: a number in the cache that every write to the SILL bumps, so that
what is cached under it (the Catalogi-format document, sill.catalogi) goes stale at once,
without scanning keys. Receivers in SillConfig.ready; bulk writes call sill_changed()."""

from django.db import transaction

from core.cache import bump_version, current_version

VERSION_KEY = "sill:version"


def sill_version() -> int:
    return current_version(VERSION_KEY)


def sill_changed(**_kwargs) -> None:
    """Bumped now and again once the transaction commits: a request reading in between
    would otherwise cache the old rows under the new version."""
    bump_version(VERSION_KEY)
    transaction.on_commit(lambda: bump_version(VERSION_KEY), robust=True)
