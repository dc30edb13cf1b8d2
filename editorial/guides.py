"""The guide pages linked from the footer and the main navigation, cached."""

from django.core.cache import cache

from editorial.models import GuidePage

PLACEMENTS_CACHE_KEY = "codegouv:guides:placements"
PLACEMENTS_CACHE_TIMEOUT = 3600


def linked_pages():
    """{"footer": [...], "navigation": [...]} of (title, slug): one query, then the cache.

    The admin clears the cache whenever a page is saved or deleted."""
    pages = cache.get(PLACEMENTS_CACHE_KEY)
    if pages is None:
        pages = {placement: [] for placement in GuidePage.Placement.values}
        for row in GuidePage.objects.placements():
            pages[row.placement].append((row.title, row.slug))
        cache.set(PLACEMENTS_CACHE_KEY, pages, PLACEMENTS_CACHE_TIMEOUT)
    return pages


def forget_linked_pages():
    cache.delete(PLACEMENTS_CACHE_KEY)
