"""What the home page shows from the catalogue: counters and the latest repositories."""

from django.core.cache import cache

from catalog.listing_cache import catalog_version
from catalog.models import Forge, Owner, Repository
from contributions.models import Contribution
from sill.models import Software

COUNTERS_KEY = "catalog:home-counters"


def counters() -> dict:
    """Totals for the home page, cached for 10 minutes (five COUNT queries otherwise)."""
    key = f"{COUNTERS_KEY}:{catalog_version()}"
    values = cache.get(key)
    if values is None:
        values = {
            "repositories": Repository.objects.visible().count(),
            "owners": Owner.objects.filter(repository_count__gt=0).count(),
            "forges": Forge.objects.filter(owners__repository_count__gt=0).distinct().count(),
            "software": Software.objects.published().count(),
            "contributions": Contribution.objects.published().count(),
        }
        cache.set(key, values, timeout=600)
    return values


def latest_repositories(limit: int = 6):
    return Repository.objects.visible().filter(is_fork=False).for_list().newest_first()[:limit]
