"""Whole pages cached for anonymous visitors, Django's cache middleware otherwise unchanged.

A repeated page (the home page, a listing, a repository) costs a visitor who is not logged
in one cache read instead of its queries and its rendering. Signed-in users never read nor
fill it: their pages show their name, their declarations and their messages. Django keys
each page on its URL and on the request headers the response varies on (language,
encoding, cookies), and stores nothing for a response that sets a cookie, is not a 200,
is streamed or says ``private``/``no-cache``/``no-store``.

``CACHE_MIDDLEWARE_SECONDS`` (``PAGE_CACHE_SECONDS``) is how stale an anonymous page may
be; 0 turns the page cache off (the default without Redis, and in tests). See ADR 0013.
"""

from django.conf import settings
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware


def _cacheable(request) -> bool:
    if not settings.CACHE_MIDDLEWARE_SECONDS:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


class UpdatePageCacheMiddleware(UpdateCacheMiddleware):
    """First in MIDDLEWARE: stores the anonymous responses worth storing."""

    def _should_update_cache(self, request, response):
        return _cacheable(request) and super()._should_update_cache(request, response)


class FetchPageCacheMiddleware(FetchFromCacheMiddleware):
    """Last in MIDDLEWARE (after authentication): answers an anonymous request from the
    cache when it can."""

    def process_request(self, request):
        if not _cacheable(request):
            request._cache_update_cache = False
            return None
        return super().process_request(request)
