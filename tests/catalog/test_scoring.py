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
    score_fields,
    score_of,
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
    last_activity_at=NOW - timedelta(days=800),
    is_archived=True,
    is_fork=True,
    stars=0,
    forks=0,
)


def scored(facts):
    result = score_repository(facts, now=NOW)
    return result.value, result.checks


def passed(checks) -> dict[str, bool]:
    return {c.code: c.passed for c in checks}


def test_weights_sum_to_100():
    assert sum(weight for weight, _ in CHECKS.values()) == 100


def test_full_marks():
    score, checks = scored(PERFECT)
    assert score == 100
    assert all(c.passed for c in checks)
    assert [c.code for c in checks] == list(CHECKS)


def test_zero():
    score, checks = scored(NOTHING)
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
        ({"last_activity_at": NOW - timedelta(days=400)}, "recent_activity", 10),
        ({"is_archived": True}, "not_archived", 8),
        ({"is_fork": True}, "not_fork", 7),
        ({"stars": 0, "forks": 0}, "community", 5),
    ],
)
def test_each_check(change, code, weight):
    score, checks = scored(replace(PERFECT, **change))
    assert score == 100 - weight
    assert [c.code for c in checks if not c.passed] == [code]


@pytest.mark.parametrize(("days", "recent"), [(0, True), (365, True), (366, False)])
def test_activity_boundary(days, recent):
    facts = replace(PERFECT, last_activity_at=NOW - timedelta(days=days))
    _, checks = scored(facts)
    assert passed(checks)["recent_activity"] is recent


def test_activity_one_second_past_365_days():
    facts = replace(PERFECT, last_activity_at=NOW - timedelta(days=365, seconds=1))
    assert passed(scored(facts)[1])["recent_activity"] is False


def test_naive_datetime_is_refused():
    facts = replace(PERFECT, last_activity_at=datetime(2025, 5, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        score_repository(facts, now=NOW)


@pytest.mark.parametrize(
    ("stars", "forks", "community"), [(4, 0, False), (2, 2, False), (5, 0, True), (3, 2, True)]
)
def test_community_boundary(stars, forks, community):
    facts = replace(PERFECT, stars=stars, forks=forks)
    assert passed(scored(facts)[1])["community"] is community


def test_deterministic():
    assert score_repository(PERFECT, now=NOW) == score_repository(PERFECT, now=NOW)


def test_labels_are_french_msgids():
    _, checks = scored(PERFECT)
    labels = {c.code: c.label for c in checks}
    assert labels["free_license"] == "Licence libre"
    assert labels["community"] == "Signes d’une communauté (étoiles et copies ≥ 5)"
    with translation.override("en"):
        # gettext_noop only marks them: the stored label stays the French msgid.
        assert scored(PERFECT)[1][0].label == "Licence libre"


def test_json_round_trip():
    score, checks = scored(replace(PERFECT, is_fork=True))
    data = json.loads(json.dumps(checks_to_json(checks)))
    assert data[0] == {
        "code": "free_license",
        "passed": True,
        "checked": True,
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
        [{"code": "readme", "passed": True, "weight": 15, "checked": "no"}],
        ["readme"],
    ],
)
def test_from_json_malformed(data):
    with pytest.raises(ValueError):
        checks_from_json(data)


ROOT_FILES_UNKNOWN = {"has_readme": None, "has_contributing": None, "has_valid_publiccode": None}


def states(checks) -> dict[str, str]:
    return {c.code: c.state for c in checks}


def test_unchecked_criteria_count_neither_for_nor_against():
    result = score_repository(replace(PERFECT, **ROOT_FILES_UNKNOWN), now=NOW)
    assert (result.value, result.points, result.checkable, result.unchecked) == (100, 60, 60, 40)
    assert states(result.checks)["readme"] == "unchecked"
    assert states(result.checks)["free_license"] == "passed"


def test_an_unchecked_readme_scores_above_a_missing_one():
    base = replace(PERFECT, is_archived=True)  # 92/100 with everything checked
    missing = score_repository(replace(base, has_readme=False), now=NOW)
    unknown = score_repository(replace(base, has_readme=None), now=NOW)
    assert states(missing.checks)["readme"] == "failed"
    assert states(unknown.checks)["readme"] == "unchecked"
    assert (missing.value, missing.checkable) == (77, 100)
    assert (unknown.value, unknown.checkable) == (91, 85)  # 77 of 85 points


def test_unknown_activity_fork_and_archive_are_unchecked():
    facts = replace(NOTHING, last_activity_at=None, is_fork=None, is_archived=None)
    result = score_repository(facts, now=NOW)
    unchecked = {code for code, state in states(result.checks).items() if state == "unchecked"}
    assert unchecked == {"recent_activity", "not_fork", "not_archived"}
    assert result.checkable == 100 - 10 - 7 - 8


def test_score_rounds_half_up_and_is_zero_when_nothing_could_be_checked():
    half = [
        Check("a", True, 25, "a"),
        Check("b", False, 15, "b"),
        Check("c", False, 60, "c", False),
    ]
    assert score_of(half).value == 63  # 62.5
    assert score_of([Check("a", True, 20, "a", checked=False)]).value == 0


def test_checks_stored_before_unchecked_criteria_existed_count_as_checked():
    [check] = checks_from_json([{"code": "readme", "passed": False, "weight": 15}])
    assert check.state == "failed"


def row(**values):
    return {
        "license_spdx": "NOASSERTION",
        "license_reported": "",
        "root_files": None,
        "publiccode_valid": False,
        "description": "Un outil",
        "pushed_at": NOW - timedelta(days=3),
        "updated_at": None,
        "is_archived": False,
        "is_fork": False,
        "stars": 0,
        "forks": 0,
        **values,
    }


def field_states(values, **kwargs):
    computed = score_fields(values, NOW, **kwargs)
    return states(checks_from_json(computed["score_checks"])), computed


def test_root_files_never_listed_are_not_checked_not_absent():
    unknown, computed = field_states(row(), license_listed=False)
    assert unknown["readme"] == unknown["contributing"] == unknown["publiccode"] == "unchecked"
    # Nor the licence: the forge reported none and no LICENSE file was looked for.
    assert unknown["free_license"] == "unchecked"
    assert (computed["score"], computed["score_checkable"]) == (88, 40)  # 35 of 40 points, 87.5

    listed, computed = field_states(row(root_files=["LICENSE"]), license_listed=False)
    assert listed["readme"] == listed["contributing"] == listed["publiccode"] == "failed"
    assert computed["score_checkable"] == 100


@pytest.mark.parametrize(
    ("values", "license_listed", "state"),
    [
        ({}, True, "failed"),  # the forge's listing reports licences: it found none
        ({"license_reported": "MIT", "license_spdx": "MIT"}, False, "passed"),
        ({"license_reported": "Other"}, False, "failed"),
        ({}, False, "unchecked"),
    ],
)
def test_licence_is_checked_when_the_forge_could_tell(values, license_listed, state):
    assert field_states(row(**values), license_listed=license_listed)[0]["free_license"] == state


def test_an_unknown_fork_flag_is_not_checked():
    assert field_states(row(), license_listed=True, fork_known=False)[0]["not_fork"] == "unchecked"


@pytest.mark.parametrize(
    ("observed_days_ago", "state"),
    [(None, "failed"), (30, "failed"), (365, "failed"), (366, "unchecked"), (1800, "unchecked")],
)
def test_a_source_older_than_the_activity_window_cannot_tell(observed_days_ago, state):
    observed_at = None if observed_days_ago is None else NOW - timedelta(days=observed_days_ago)
    facts = replace(PERFECT, last_activity_at=NOW - timedelta(days=2000), observed_at=observed_at)
    assert states(score_repository(facts, now=NOW).checks)["recent_activity"] == state
