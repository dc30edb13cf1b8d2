"""Reuse-potential score of a repository (0–100), with the checks that explain it.

Pure and deterministic: the caller passes ``now``. Labels are French msgids marked with
``gettext_noop``; translate them at display time (``gettext(check.label)`` or
``{% translate check.label %}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_noop

RECENT_ACTIVITY = timedelta(days=365)
COMMUNITY_THRESHOLD = 5  # stars + forks

# code -> (weight, label); order is the display order.
CHECKS: dict[str, tuple[int, str]] = {
    "free_license": (20, gettext_noop("Licence libre")),
    "readme": (15, gettext_noop("README présent")),
    "contributing": (10, gettext_noop("Guide de contribution (CONTRIBUTING)")),
    "publiccode": (15, gettext_noop("publiccode.yml valide")),
    "description": (10, gettext_noop("Description renseignée")),
    "recent_activity": (10, gettext_noop("Activité dans les 12 derniers mois")),
    "not_archived": (8, gettext_noop("Non archivé")),
    "not_fork": (7, gettext_noop("Dépôt original (pas une copie)")),
    "community": (5, gettext_noop("Signes d’une communauté (étoiles et copies ≥ 5)")),
}
MAX_SCORE = sum(weight for weight, _ in CHECKS.values())
if MAX_SCORE != 100:  # pragma: no cover - a programming error, caught at import
    raise RuntimeError(f"check weights sum to {MAX_SCORE}, not 100")


@dataclass(frozen=True)
class RepositoryFacts:
    license_spdx: str  # "NOASSERTION" when unknown
    license_is_free: bool
    has_readme: bool
    has_contributing: bool
    has_valid_publiccode: bool
    has_description: bool
    last_activity_at: datetime | None  # aware datetime
    is_archived: bool
    is_fork: bool
    stars: int
    forks: int


@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    weight: int
    label: str


def _is_recent(last_activity_at: datetime | None, now: datetime) -> bool:
    if last_activity_at is None:
        return False
    if now.tzinfo is None or last_activity_at.tzinfo is None:
        raise ValueError("score_repository needs timezone-aware datetimes")
    return now - last_activity_at <= RECENT_ACTIVITY


def score_repository(facts: RepositoryFacts, *, now: datetime) -> tuple[int, list[Check]]:
    """Return ``(score, checks)``; the score is the sum of the weights of passed checks."""
    results = {
        "free_license": facts.license_is_free,
        "readme": facts.has_readme,
        "contributing": facts.has_contributing,
        "publiccode": facts.has_valid_publiccode,
        "description": facts.has_description,
        "recent_activity": _is_recent(facts.last_activity_at, now),
        "not_archived": not facts.is_archived,
        "not_fork": not facts.is_fork,
        "community": (facts.stars or 0) + (facts.forks or 0) >= COMMUNITY_THRESHOLD,
    }
    checks = [
        Check(code=code, passed=bool(results[code]), weight=weight, label=label)
        for code, (weight, label) in CHECKS.items()
    ]
    return sum(c.weight for c in checks if c.passed), checks


def checks_to_json(checks) -> list[dict]:
    """Serialise checks for a JSONField."""
    return [
        {"code": c.code, "passed": c.passed, "weight": c.weight, "label": c.label} for c in checks
    ]


def checks_from_json(data) -> list[Check]:
    """Rebuild checks from ``checks_to_json`` output.

    Known codes get the current label (so relabelling needs no data migration); the stored
    weight is kept, as it is the one the stored score was computed with.
    Raises ValueError on malformed data.
    """
    if not isinstance(data, list):
        raise ValueError("checks must be a list")
    checks = []
    for item in data:
        if not isinstance(item, dict):
            raise ValueError(f"check must be an object, got {item!r}")
        try:
            code, passed, weight = item["code"], item["passed"], item["weight"]
        except KeyError as exc:
            raise ValueError(f"check is missing {exc.args[0]!r}: {item!r}") from None
        if not isinstance(code, str) or not isinstance(passed, bool):
            raise ValueError(f"malformed check: {item!r}")
        if isinstance(weight, bool) or not isinstance(weight, int):
            raise ValueError(f"malformed check weight: {item!r}")
        label = CHECKS[code][1] if code in CHECKS else str(item.get("label") or code)
        checks.append(Check(code=code, passed=passed, weight=weight, label=label))
    return checks
