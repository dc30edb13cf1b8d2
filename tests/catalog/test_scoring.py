import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from catalog.scoring import (
    CHECKS,
    Check,
    RepositoryFacts,
    checks_from_json,
    checks_to_json,
    score_repository,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

PERFECT = RepositoryFacts(
    license_spdx="EUPL-1.2",
    license_is_free=True,
    has_readme=True,
    has_contributing=True,
    has_valid_publiccode=True,
    has_description=True,
    last_activity_at=NOW - timedelta(days=3),
    is_archived=False,
    is_fork=False,
    stars=40,
    forks=7,
)

NOTHING = RepositoryFacts(
    license_spdx="NOASSERTION",
    license_is_free=False,
    has_readme=False,
    has_contributing=False,
    has_valid_publiccode=False,
    has_description=False,
    last_activity_at=None,
    is_archived=True,
    is_fork=True,
    stars=0,
    forks=0,
)


def passed(checks) -> dict[str, bool]:
    return {c.code: c.passed for c in checks}


def test_weights_sum_to_100():
    assert sum(weight for weight, _ in CHECKS.values()) == 100


def test_full_marks():
    score, checks = score_repository(PERFECT, now=NOW)
    assert score == 100
    assert all(c.passed for c in checks)
    assert [c.code for c in checks] == list(CHECKS)


def test_zero():
    score, checks = score_repository(NOTHING, now=NOW)
    assert score == 0
    assert not any(c.passed for c in checks)
    assert len(checks) == 9


@pytest.mark.parametrize(
    ("change", "code", "weight"),
    [
        ({"license_is_free": False}, "free_license", 20),
        ({"has_readme": False}, "readme", 15),
        ({"has_contributing": False}, "contributing", 10),
        ({"has_valid_publiccode": False}, "publiccode", 15),
        ({"has_description": False}, "description", 10),
        ({"last_activity_at": None}, "recent_activity", 10),
        ({"is_archived": True}, "not_archived", 8),
        ({"is_fork": True}, "not_fork", 7),
        ({"stars": 0, "forks": 0}, "community", 5),
    ],
)
def test_each_check(change, code, weight):
    score, checks = score_repository(replace(PERFECT, **change), now=NOW)
    assert score == 100 - weight
    assert [c.code for c in checks if not c.passed] == [code]


@pytest.mark.parametrize(("days", "recent"), [(0, True), (365, True), (366, False)])
def test_activity_boundary(days, recent):
    facts = replace(PERFECT, last_activity_at=NOW - timedelta(days=days))
    _, checks = score_repository(facts, now=NOW)
    assert passed(checks)["recent_activity"] is recent


def test_activity_one_second_past_365_days():
    facts = replace(PERFECT, last_activity_at=NOW - timedelta(days=365, seconds=1))
    assert passed(score_repository(facts, now=NOW)[1])["recent_activity"] is False


def test_naive_datetime_is_refused():
    facts = replace(PERFECT, last_activity_at=datetime(2025, 5, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        score_repository(facts, now=NOW)


@pytest.mark.parametrize(
    ("stars", "forks", "community"), [(4, 0, False), (2, 2, False), (5, 0, True), (3, 2, True)]
)
def test_community_boundary(stars, forks, community):
    facts = replace(PERFECT, stars=stars, forks=forks)
    assert passed(score_repository(facts, now=NOW)[1])["community"] is community


def test_deterministic():
    assert score_repository(PERFECT, now=NOW) == score_repository(PERFECT, now=NOW)


def test_labels_are_french_msgids():
    _, checks = score_repository(PERFECT, now=NOW)
    labels = {c.code: c.label for c in checks}
    assert labels["free_license"] == "Licence libre"
    assert labels["community"] == "Signes d’une communauté (étoiles et copies ≥ 5)"
    with translation.override("en"):
        # gettext_noop only marks them: the stored label stays the French msgid.
        assert score_repository(PERFECT, now=NOW)[1][0].label == "Licence libre"


def test_json_round_trip():
    score, checks = score_repository(replace(PERFECT, is_fork=True), now=NOW)
    data = json.loads(json.dumps(checks_to_json(checks)))
    assert data[0] == {
        "code": "free_license",
        "passed": True,
        "weight": 20,
        "label": "Licence libre",
    }
    assert checks_from_json(data) == checks
    assert sum(c.weight for c in checks_from_json(data) if c.passed) == score


def test_from_json_keeps_unknown_codes_and_stored_weights():
    data = [
        {"code": "readme", "passed": True, "weight": 12, "label": "old label"},
        {"code": "retired_check", "passed": False, "weight": 3, "label": "Ancien critère"},
    ]
    assert checks_from_json(data) == [
        Check(code="readme", passed=True, weight=12, label="README présent"),
        Check(code="retired_check", passed=False, weight=3, label="Ancien critère"),
    ]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"code": "readme"},
        [{"code": "readme", "passed": True}],
        [{"code": "readme", "passed": "yes", "weight": 15}],
        [{"code": "readme", "passed": True, "weight": "15"}],
        ["readme"],
    ],
)
def test_from_json_malformed(data):
    with pytest.raises(ValueError):
        checks_from_json(data)
