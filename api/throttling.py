"""Requests per client address, counted in the cache in fixed windows.

Every request counts against ``API_RATE_LIMIT`` (5,000 an hour by default); a request with a
text search (``q``) also against ``API_SEARCH_RATE_LIMIT`` (60 a minute). One counter per
address and window (``cache.add`` then ``cache.incr``: two cheap calls, whatever the
limit), rather than DRF's list of timestamps, which would carry 5,000 of them in and out of
Redis on every request. The address is the one the login lockout uses: the proxy's last
X-Forwarded-For entry behind ``DJANGO_BEHIND_TLS_PROXY``, else REMOTE_ADDR.

When the cache cannot count (Redis down: core.cache answers as an empty cache), requests
go through uncounted: the API keeps answering (ADR 8).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from accounts.lockout import client_ip_address


@dataclass
class Quota:
    limit: int
    used: int
    reset: int  # Unix time the window ends

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit


def count(scope: str, ident: str, limit: int, period: int, now: float) -> Quota | None:
    """This request counted in `scope`'s current window; None when the cache cannot count."""
    window = int(now // period)
    key = f"api:rate:{scope}:{window}:{ident}"
    cache.add(key, 0, timeout=period + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # the cache lost the key, or cannot be reached
        return None
    return Quota(limit, used, (window + 1) * period)


class ClientRateThrottle(BaseThrottle):
    wait_seconds = None

    def allow_request(self, request, view):
        ident = client_ip_address(request) or "unknown"
        now = time.time()
        limits = [("all", *settings.API_RATE_LIMIT)]
        if request.query_params.get("q", "").strip():
            limits.append(("search", *settings.API_SEARCH_RATE_LIMIT))
        quotas = [count(scope, ident, limit, period, now) for scope, limit, period in limits]
        quotas = [quota for quota in quotas if quota is not None]
        if not quotas:
            return True
        # The headers tell the limit that is the nearest (or the one that refused).
        request.rate_quota = min(quotas, key=lambda quota: (not quota.exceeded, quota.remaining))
        refused = [quota for quota in quotas if quota.exceeded]
        if refused:
            self.wait_seconds = max(1, max(quota.reset for quota in refused) - int(now))
            return False
        return True

    def wait(self):
        return self.wait_seconds


def rate_headers(request) -> dict[str, str]:
    quota = getattr(request, "rate_quota", None)
    if quota is None:
        return {}
    return {
        "X-RateLimit-Limit": str(quota.limit),
        "X-RateLimit-Remaining": str(quota.remaining),
        "X-RateLimit-Reset": str(quota.reset),
    }
