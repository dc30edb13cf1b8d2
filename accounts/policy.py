"""Who counts as a public agent, allowed to declare on the portal."""

import re

from django.conf import settings


def _pattern(entry: str) -> re.Pattern:
    # "*" stands for part of one label: "ac-*.fr" admits ac-paris.fr, not ac-x.evil.fr.
    return re.compile(".".join(re.escape(p).replace(r"\*", "[a-z0-9-]*") for p in entry.split(".")))


def email_domain_allowed(email: str) -> bool:
    """True when the address's domain, or one of its parent domains, is allow-listed."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return False
    labels = domain.split(".")
    candidates = {".".join(labels[i:]) for i in range(len(labels) - 1)}
    patterns = [_pattern(entry.strip().lower()) for entry in settings.PUBLIC_AGENT_EMAIL_DOMAINS]
    return any(pattern.fullmatch(c) for pattern in patterns for c in candidates)


def is_public_agent(user) -> bool:
    """An active user with an allow-listed address, or a SIRET of a known public body."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or email_domain_allowed(user.email):
        return True
    if user.siret:
        from catalog.models import PublicBody

        return PublicBody.objects.filter(siren=user.siret[:9]).exists()
    return False
