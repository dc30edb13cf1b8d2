"""Facets from the HTML listing's summary; the OpenAPI schema and its docs page."""

import pytest
from django.core.management import call_command

from catalog.filters import RepositoryFilter, listing_summary
from catalog.models import Repository
from core.listing import bind_filters
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def repositories():
    RepositoryFactory(language="Python", license_spdx="MIT", topics=["santé"])
    RepositoryFactory(language="Python", license_spdx="EUPL-1.2")
    RepositoryFactory(language="Rust", license_spdx="NOASSERTION", archived=True)


def test_facets_are_the_listing_summarys(api, repositories):
    response = api("repositories/facets/", language="python")

    assert response.status_code == 200
    facets = {facet["key"]: facet for facet in response.json()}
    params = {"language": "python", "archived": "include"}
    filterset, _rows = bind_filters(RepositoryFilter, params, Repository.objects.visible())
    expected = listing_summary(filterset)["facets"]
    assert set(facets) == set(expected)
    for key, values in expected.items():
        assert [(o["value"], o["count"]) for o in facets[key]["options"]] == [
            (str(value), count) for value, count, _label in values
        ]
    language = facets["language"]
    assert language["label"] == "Langage"
    assert language["options"] == [
        {"value": "Python", "label": "Python", "count": 2, "selected": True}
    ]
    licences = {o["value"]: o for o in facets["license"]["options"]}
    assert licences["free"] == {
        "value": "free",
        "label": "Licence libre",
        "count": 2,
        "selected": False,
    }


def test_facets_count_archived_repositories_unless_excluded(api, repositories):
    def languages(**params):
        facets = {f["key"]: f for f in api("repositories/facets/", **params).json()}
        return {o["value"]: o["count"] for o in facets["language"]["options"]}

    assert languages() == {"Python": 2, "Rust": 1}
    assert languages(archived="exclude") == {"Python": 2}


def test_facets_refuse_what_the_list_refuses(api, repositories):
    response = api("repositories/facets/", min_stars="lots")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_the_schema_validates_without_a_warning(tmp_path):
    # As `manage.py spectacular --validate --fail-on-warn`: exits non-zero on any warning.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yml")

    assert "Licence Ouverte 2.0" in (tmp_path / "s.yml").read_text()


def test_the_schema_is_served(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["license"]["name"] == "Licence Ouverte 2.0"
    assert {"/api/v1/repositories/", "/api/v1/software/{id}/", "/api/v1/contributions/"} <= set(
        schema["paths"]
    )


def test_the_docs_page_loads_its_scripts_from_the_site_under_its_csp(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # the CSP refuses inline scripts: a file of its own
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_open_data_page_links_the_api(client, prefix):
    response = client.get(f"{prefix}/donnees/")

    html = response.content.decode()
    assert 'href="/api/v1/docs/"' in html
    assert 'href="/api/v1/schema/"' in html
    assert ("API documentation" if prefix else "Documentation de l’API") in html


def test_the_page_and_the_api_share_the_cached_summary(api, client, repositories, monkeypatch):
    client.get("/depots/", {"archived": "include", "language": "python"})
    calls = []
    monkeypatch.setattr(
        "catalog.filters.listing_summary", lambda filterset: calls.append(filterset)
    )

    assert api("repositories/facets/", language="python").status_code == 200
    assert calls == []
