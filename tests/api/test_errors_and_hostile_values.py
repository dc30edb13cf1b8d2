"""Errors are application/problem+json; hostile values are a 400 or an answer, never a 5xx."""

import base64
import json

import pytest

from tests.bluehats.factories import ContributorProfileFactory, EventFactory, GazetteIssueFactory
from tests.factories import ContributionFactory, RepositoryFactory, SoftwareFactory

pytestmark = pytest.mark.django_db

LISTS = ["repositories", "owners", "forges", "public-bodies", "ministries", "software"]
LISTS += ["contributions", "repositories/facets", "events", "gazette", "contributors"]
PARAMS = [
    "q",
    "cursor",
    "page_size",
    "ordering",
    "updated_since",
    "forge",
    "owner",
    "public_body",
    "ministry",
    "language",
    "license",
    "topic",
    "archived",
    "min_stars",
    "swh",
    "period",
    "organiser",
    "fork",
    "kind",
    "category",
    "status",
    "platform",
    "project",
    "year",
]
HOSTILE = [
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\u202e",
    "%",
    "é" * 300,
    "x" * 300,
    "9" * 300,
    "-1",
    "0",
    "1e308",
    "NaN",
    "[]",
    "{}",
    "' OR 1=1 --",
    "../../etc/passwd",
    "2026-13-45",
    "99999-01-01",
]


@pytest.fixture
def rows():
    RepositoryFactory(topics=["santé"])
    SoftwareFactory()
    ContributionFactory()
    EventFactory()
    GazetteIssueFactory()
    ContributorProfileFactory()


@pytest.mark.parametrize("path", LISTS)
def test_no_hostile_value_is_a_server_error(client, rows, path):
    for name in PARAMS:
        for value in HOSTILE:
            response = client.get(f"/api/v1/{path}/", {name: value})
            assert response.status_code in (200, 400), (name, value, response.status_code)
            if response.status_code == 400:
                assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("path", LISTS)
def test_invalid_utf8_and_repeated_parameters(client, rows, path):
    for query in ("q=%ff%fe", "page_size=%c3%28", "cursor=%ff", "q=a&q=b&page_size=1&page_size=2"):
        response = client.get(f"/api/v1/{path}/?{query}")
        assert response.status_code in (200, 400), query


@pytest.mark.parametrize(
    "path", ["repositories/%00/", "repositories/99999999999999999999999/", "software/-1/"]
)
def test_hostile_item_addresses_are_404s(client, rows, path):
    assert client.get(f"/api/v1/{path}").status_code == 404


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2026-02-30"}, "updated_since"),
        ({"ordering": "stars"}, "ordering"),
        ({"page_size": "5000"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"cursor": "garbage"}, "cursor"),
        ({"license": "NOT-A-LICENCE"}, "license"),
        ({"swh": "maybe"}, "swh"),
    ],
)
def test_bad_parameters_are_400_problems_naming_them(client, rows, params, name):
    response = client.get("/api/v1/repositories/", params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "about:blank"
    assert problem["title"] == "Bad Request"
    assert problem["status"] == 400
    assert problem["detail"]
    assert [item["name"] for item in problem["invalid_params"]] == [name]
    assert problem["invalid_params"][0]["reason"]


def test_problems_are_in_english_under_an_english_accept_language(client, rows):
    response = client.get("/api/v1/repositories/", {"page_size": "5000"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["invalid_params"][0]["reason"] == "A whole number from 1 to 1000."


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01",
        "9999-12-31",
        "2026-12-01T25:00:00",
        "2026-12-01T10:00:00+99:00",
    ],
)
def test_extreme_dates_are_an_answer_or_a_400(client, rows, value):
    response = client.get("/api/v1/repositories/", {"updated_since": value})

    assert response.status_code in (200, 400), value


def crafted(**data):
    raw = json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        crafted(o="modified_at", i=1, m="0001-01-01T00:00:00+05:00"),
        crafted(o="modified_at", i=1, m="9999-12-31T23:59:59-05:00"),
        crafted(o="modified_at", i=1, m="2026-12-01T10:00:00"),
        crafted(o="modified_at", i=2**63, m="2026-12-01T10:00:00Z"),
        crafted(o="id", i=True),
        crafted(o="id", i=1.5),
        crafted(o="id", i="1"),
        crafted(o="id", i=2**70),
        crafted(o="id", i=1, b="yes"),
        crafted(o=["id"], i=1),
        base64.urlsafe_b64encode(b"[" * 5000).decode(),
    ],
)
def test_crafted_cursors_are_an_answer_or_a_400(client, rows, cursor):
    for ordering in ("id", "modified_at"):
        response = client.get("/api/v1/repositories/", {"cursor": cursor, "ordering": ordering})
        assert response.status_code in (200, 400), (cursor, ordering)
        response = client.get(
            "/api/v1/software/",
            {"cursor": cursor, "ordering": ordering, "updated_since": "2020-01-01"},
        )
        assert response.status_code in (200, 400), (cursor, ordering)


@pytest.mark.parametrize("value", ["MIT", "cecill-2.1", "MIT OR Apache-2.0", "free", "none"])
def test_known_licences_and_groups_are_accepted(client, rows, value):
    assert client.get("/api/v1/repositories/", {"license": value}).status_code == 200
