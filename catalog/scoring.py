"""Reuse-potential score of a repository (0–100), with the checks that explain it.

Each check is in one of three states: passed, failed, or *not checked* when the harvested
data cannot tell (a repository whose root files were never listed has no known README: that
is not the same as no README). The score is computed over the checked criteria only:

    score = round(100 * points of the passed checks / points of the checked checks)

so an unchecked criterion counts neither for nor against the repository. The listing's
"Potentiel de réutilisation" sort orders by that score, then by the points that could be
checked (more evidence first at equal score), then by stars: a repository is never ranked
below another because something about it could not be checked, and between equal scores
the better-documented one comes first. The page /depots/score/ explains this to users.

Pure and deterministic: the caller passes ``now``. Labels are French msgids marked with
``gettext_noop``; translate them at display time (``gettext(check.label)`` or
``{% translate check.label %}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_noop

from catalog import licenses

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

# What each check reads, for the page that explains the score (French msgids).
EVIDENCE: dict[str, str] = {
    "free_license": gettext_noop(
        "La licence déclarée par la forge, reconnue comme libre (liste de la FSF ou de "
        "l’OSI). Non vérifié quand la forge ne déclare pas de licence et que les fichiers "
        "à la racine du dépôt n’ont pas été listés."
    ),
    "readme": gettext_noop(
        "Un fichier README à la racine du dépôt. Non vérifié quand les fichiers à la racine "
        "n’ont pas été listés."
    ),
    "contributing": gettext_noop(
        "Un fichier CONTRIBUTING à la racine du dépôt. Non vérifié quand les fichiers à la "
        "racine n’ont pas été listés."
    ),
    "publiccode": gettext_noop(
        "Un fichier publiccode.yml à la racine du dépôt, conforme au standard. Non vérifié "
        "quand les fichiers à la racine n’ont pas été listés."
    ),
    "description": gettext_noop("La description du dépôt donnée par la forge."),
    "recent_activity": gettext_noop(
        "La date du dernier envoi ou de la dernière mise à jour donnée par la forge, "
        "comparée à la date du calcul. Non vérifié quand la forge ne donne aucune date, ou "
        "quand les données datent de plus de 12 mois sans activité récente (le catalogue "
        "de 2021)."
    ),
    "not_archived": gettext_noop("L’indication « archivé » donnée par la forge."),
    "not_fork": gettext_noop(
        "L’indication « copie (fork) » donnée par la forge. Non vérifié quand elle manque."
    ),
    "community": gettext_noop("Les nombres d’étoiles et de copies donnés par la forge."),
}


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: int
    label: str
    evidence: str


def criteria() -> list[Criterion]:
    """The criteria in display order, with their points and what each reads."""
    return [
        Criterion(code=code, weight=weight, label=label, evidence=EVIDENCE[code])
        for code, (weight, label) in CHECKS.items()
    ]


@dataclass(frozen=True)
class RepositoryFacts:
    """What the harvest knows; ``None`` where it could not tell."""

    license_spdx: str  # "NOASSERTION" when unknown
    license_is_free: bool | None
    has_readme: bool | None
    has_contributing: bool | None
    has_valid_publiccode: bool | None
    has_description: bool
    last_activity_at: datetime | None  # aware datetime
    is_archived: bool | None
    is_fork: bool | None
    stars: int
    forks: int
    # When the source saw the repository (None: now); a source older than the activity
    # window cannot tell whether there was activity in it.
    observed_at: datetime | None = None


@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    weight: int
    label: str
    checked: bool = True  # False: the harvested data could not tell

    @property
    def state(self) -> str:
        """ "passed", "failed" or "unchecked"."""
        if not self.checked:
            return "unchecked"
        return "passed" if self.passed else "failed"


@dataclass(frozen=True)
class Score:
    value: int  # 0–100, over the checked criteria only
    points: int  # weights of the passed checks
    checkable: int  # weights of the checked checks
    checks: list[Check]

    @property
    def unchecked(self) -> int:
        """Weights of the checks that could not be evaluated."""
        return sum(c.weight for c in self.checks if not c.checked)


def score_of(checks) -> Score:
    """The score of `checks`: passed points over checked points, out of 100 (0 when
    nothing could be checked)."""
    checks = list(checks)
    points = sum(c.weight for c in checks if c.checked and c.passed)
    checkable = sum(c.weight for c in checks if c.checked)
    # Rounded half up (Python's round() would give 62 for 62.5).
    value = (200 * points + checkable) // (2 * checkable) if checkable else 0
    return Score(value=value, points=points, checkable=checkable, checks=checks)


def _is_recent(
    last_activity_at: datetime | None, now: datetime, observed_at: datetime | None
) -> bool | None:
    """Activity within the window; None when no date is known, or when the source saw the
    repository too long ago to know about the window (an old dump)."""
    if last_activity_at is None:
        return None
    if now.tzinfo is None or last_activity_at.tzinfo is None:
        raise ValueError("score_repository needs timezone-aware datetimes")
    if now - last_activity_at <= RECENT_ACTIVITY:
        return True
    if observed_at is not None and now - observed_at > RECENT_ACTIVITY:
        return None
    return False


def _negate(value: bool | None) -> bool | None:
    return None if value is None else not value


def score_repository(facts: RepositoryFacts, *, now: datetime) -> Score:
    """Each check passed, failed or not checked (``None`` facts), and the score over the
    checked ones."""
    results = {
        "free_license": facts.license_is_free,
        "readme": facts.has_readme,
        "contributing": facts.has_contributing,
        "publiccode": facts.has_valid_publiccode,
        "description": facts.has_description,
        "recent_activity": _is_recent(facts.last_activity_at, now, facts.observed_at),
        "not_archived": _negate(facts.is_archived),
        "not_fork": _negate(facts.is_fork),
        "community": (facts.stars or 0) + (facts.forks or 0) >= COMMUNITY_THRESHOLD,
    }
    return score_of(
        Check(
            code=code,
            passed=bool(results[code]),
            weight=weight,
            label=label,
            checked=results[code] is not None,
        )
        for code, (weight, label) in CHECKS.items()
    )


def root_file_facts(root_files, publiccode_valid) -> dict:
    """has_readme, has_contributing, has_publiccode: True/False from the listed root files,
    None when they were never listed (nothing is known)."""
    if root_files is None:
        return {"has_readme": None, "has_contributing": None, "has_publiccode": None}
    return {
        "has_readme": "README" in root_files,
        "has_contributing": "CONTRIBUTING" in root_files,
        "has_publiccode": bool(publiccode_valid),
    }


def score_fields(
    values: dict, now: datetime, *, license_listed: bool, fork_known=True, observed_at=None
) -> dict:
    """`score`, `score_checkable` and `score_checks` of a repository row's values.

    ``values["root_files"]`` is None when the root files were never listed: README,
    CONTRIBUTING and publiccode.yml are then not checked, nor is the licence unless the
    forge reported one (`license_listed`: its listing reports licences, so an empty one
    means none was found). `fork_known` is False when the source never said;
    `observed_at` is when the source saw the repository (None: now, a harvest).
    """
    files = root_file_facts(values.get("root_files"), values.get("publiccode_valid"))
    listed = values.get("root_files") is not None
    license_known = bool(values.get("license_reported")) or listed or license_listed
    spdx = values["license_spdx"]
    facts = RepositoryFacts(
        license_spdx=spdx,
        license_is_free=licenses.is_free_license(spdx) if license_known else None,
        has_readme=files["has_readme"],
        has_contributing=files["has_contributing"],
        has_valid_publiccode=files["has_publiccode"],
        has_description=bool(values["description"]),
        last_activity_at=max(
            filter(None, [values["pushed_at"], values["updated_at"]]), default=None
        ),
        is_archived=values["is_archived"],
        is_fork=values["is_fork"] if fork_known else None,
        stars=values["stars"],
        forks=values["forks"],
        observed_at=observed_at,
    )
    score = score_repository(facts, now=now)
    return {
        "score": score.value,
        "score_checkable": score.checkable,
        "score_checks": checks_to_json(score.checks),
    }


def checks_to_json(checks) -> list[dict]:
    """Serialise checks for a JSONField."""
    return [
        {
            "code": c.code,
            "passed": c.passed,
            "checked": c.checked,
            "weight": c.weight,
            "label": c.label,
        }
        for c in checks
    ]


def checks_from_json(data) -> list[Check]:
    """Rebuild checks from ``checks_to_json`` output.

    Known codes get the current label (so relabelling needs no data migration); the stored
    weight is kept, as it is the one the stored score was computed with. A check stored
    without ``checked`` (before unchecked criteria existed) counts as checked.
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
        checked = item.get("checked", True)
        if not isinstance(code, str) or not isinstance(passed, bool):
            raise ValueError(f"malformed check: {item!r}")
        if not isinstance(checked, bool):
            raise ValueError(f"malformed check state: {item!r}")
        if isinstance(weight, bool) or not isinstance(weight, int):
            raise ValueError(f"malformed check weight: {item!r}")
        label = CHECKS[code][1] if code in CHECKS else str(item.get("label") or code)
        checks.append(Check(code=code, passed=passed, weight=weight, label=label, checked=checked))
    return checks
