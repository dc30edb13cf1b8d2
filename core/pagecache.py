"""Whole pages cached for anonymous visitors, Django's cache middleware otherwise unchanged.

A repeated page (the home page, a listing, a repository) costs a visitor who is not logged
in one cache read instead of its queries and its rendering. Signed-in users never read nor
fill it: their pages show their name, their declarations and their messages. Django keys
each page on its URL and on the request headers the response varies on (language,
encoding, cookies), and stores nothing for a response that sets a cookie, is not a 200,
is streamed or says ``private``/``no-cache``/``no-store``.

``CACHE_MIDDLEWARE_SECONDS`` (``PAGE_CACHE_SECONDS``) is how stale an anonymous page may
be; 0 turns the page cache off (the default without Redis, and in tests). See ADR 0013.

An editor's decision (publishing a contribution or a SILL declaration, hiding one) calls
``pages_changed()``: the stored pages carry a version in their keys, so every page is
rendered afresh at once (the home counters, the listings), not a minute later.
"""

import threading

from django.conf import settings
from django.db import transaction
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware

from core.cache import bump_version, current_version

PAGES_VERSION_KEY = "core:pages-version"
# The version read when the request came in, for the response to be stored under the same
# key (one cache read per request, not two). One request per thread at a time.
_request = threading.local()


def pages_changed() -> None:
    """Every stored page is stale: now, and again once the transaction commits (a page
    rendered before the commit may have been stored under the new version)."""
    bump_version(PAGES_VERSION_KEY)
    transaction.on_commit(lambda: bump_version(PAGES_VERSION_KEY), robust=True)


class _VersionedPrefix:
    """Django's cache middleware reads ``self.key_prefix``: the setting's prefix and the
    pages version of the current request."""

    @property
    def key_prefix(self):
        version = getattr(_request, "version", None) or current_version(PAGES_VERSION_KEY)
        return f"{self._key_prefix}.v{version}"

    @key_prefix.setter
    def key_prefix(self, value):
        self._key_prefix = value


def _cacheable(request) -> bool:
    if not settings.CACHE_MIDDLEWARE_SECONDS:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


class UpdatePageCacheMiddleware(_VersionedPrefix, UpdateCacheMiddleware):
    """First in MIDDLEWARE: stores the anonymous responses worth storing."""

    def _should_update_cache(self, request, response):
        return _cacheable(request) and super()._should_update_cache(request, response)

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        finally:
            _request.version = None


class FetchPageCacheMiddleware(_VersionedPrefix, FetchFromCacheMiddleware):
    """Last in MIDDLEWARE (after authentication): answers an anonymous request from the
    cache when it can."""

    def process_request(self, request):
        _request.version = None
        if not _cacheable(request):
            request._cache_update_cache = False
            return None
        _request.version = current_version(PAGES_VERSION_KEY)
        return super().process_request(request)
