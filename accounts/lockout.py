"""Rate limit on password logins, with django-axes (configured in settings, AXES_*).

Only email + password attempts count: ProConnect logins are protected by ProConnect itself,
and its failures (a stale state, an expired token) say nothing about a password guesser.
"""

import math

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


class LockoutBackend(AxesStandaloneBackend):
    """Axes' guard, first of AUTHENTICATION_BACKENDS, for password attempts made over HTTP.

    `authenticate()` without a request (a shell, the test client's `login()`) is not an
    attempt from the outside and is not rate limited.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or password is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def attempted_username(request, credentials=None) -> str | None:
    """The address typed, lower-cased: `Agent@X.fr` and `agent@x.fr` share one counter."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(username, str):
        return None
    return username.strip().lower()[:255] or None


def client_ip_address(request) -> str | None:
    if settings.LOGIN_IP_FROM_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR")


def is_not_a_password_attempt(request, credentials=None) -> bool:
    """Axes' whitelist: anything but an email + password attempt is neither counted nor
    refused (ProConnect callbacks go through the same `authenticate()`)."""
    return not credentials or "password" not in credentials


def minutes_left(request, credentials=None) -> int:
    """Minutes until the lockout of this account or address ends (at least 1)."""
    username = attempted_username(request, credentials)
    ip_address = client_ip_address(request)
    latest = AccessAttempt.objects.filter(
        Q(username=username) | Q(ip_address=ip_address)
    ).aggregate(latest=Max("attempt_time"))["latest"]
    if latest is None:
        return settings.LOGIN_LOCKOUT_MINUTES
    remaining = latest + settings.AXES_COOLOFF_TIME - timezone.now()
    return max(1, math.ceil(remaining.total_seconds() / 60))


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while locked out, with status 429."""
    minutes = minutes_left(request, credentials)
    # Rendered now: the middleware that calls this runs after the view's response is rendered.
    response = render(
        request,
        "accounts/locked_out.html",
        {"page_title": _("Trop de tentatives de connexion"), "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


class AccountOnlyResetHandler(AxesDatabaseHandler):
    """A successful login clears the failures against that account only.

    axes' own reset also deletes every failure from the same address, whatever account it
    targeted: anyone with one account could then guess another's password without end.
    """

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
