"""Who counts as a public agent, allowed to declare on the portal."""

import functools
import re

from django.conf import settings

from catalog.models import PublicBody


@functools.lru_cache(maxsize=8)
def _patterns(entries: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    # "*" stands for part of one label: "ac-*.fr" admits ac-paris.fr, not ac-x.evil.fr.
    return tuple(
        re.compile(
            ".".join(re.escape(p).replace(r"\*", "[a-z0-9-]*") for p in entry.strip().split("."))
        )
        for entry in (e.lower() for e in entries)
    )


def email_domain_allowed(email: str) -> bool:
    """True when the address's domain, or one of its parent domains, is allow-listed."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return False
    labels = domain.split(".")
    candidates = {".".join(labels[i:]) for i in range(len(labels) - 1)}
    patterns = _patterns(tuple(settings.PUBLIC_AGENT_EMAIL_DOMAINS))
    return any(pattern.fullmatch(c) for pattern in patterns for c in candidates)


def is_public_agent(user) -> bool:
    """An active user with an allow-listed address, or a SIRET of a known public body.

    Remembered on the user object: the header, the view and its template all ask, and the
    SIRET case costs a query.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_is_public_agent", None)
    if cached is None:
        cached = user._is_public_agent = _is_public_agent(user)
    return cached


def _is_public_agent(user) -> bool:
    if user.is_superuser or email_domain_allowed(user.email):
        return True
    if user.siret:
        return PublicBody.objects.filter(siren=user.siret[:9]).exists()
    return False
