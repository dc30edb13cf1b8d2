"""/dependances/, a package's page, the repository page's "Dépendances" section and the
`dependency` filter of /depots/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.services.counts import refresh_owner_counts
from catalog.services.package_usage import refresh_package_usage
from tests.factories import (
    DependencyFactory,
    ManifestFactory,
    OwnerFactory,
    PublicBodyFactory,
    RepositoryFactory,
)

pytestmark = pytest.mark.django_db


def listed_paths(response):
    return {repository.full_path for repository in response.context["repositories"]}


@pytest.fixture
def catalogue():
    ministry = PublicBodyFactory(name="Ministère de l’Intérieur", is_ministry=True)
    ministry.ministry = ministry
    ministry.save()
    interieur = OwnerFactory(path="interieur", public_body=ministry)
    other = OwnerFactory(path="autre")
    web = RepositoryFactory(owner=interieur, name="web", stars=5)
    api = RepositoryFactory(owner=other, name="api")
    tools = RepositoryFactory(owner=other, name="tools")
    fork = RepositoryFactory(owner=other, name="fork", fork=True)
    gone = RepositoryFactory(owner=other, name="gone", gone=True)
    for repository in (web, api, fork, gone):
        DependencyFactory(repository=repository)
    DependencyFactory(repository=api, manifest="api/pyproject.toml", requirement="~=5.0")
    DependencyFactory(repository=tools, development=True)
    DependencyFactory(
        repository=web,
        ecosystem="npm",
        name="@gouvfr/dsfr",
        purl="pkg:npm/%40gouvfr/dsfr",
        manifest="front/package.json",
        requirement="^1.11",
    )
    ManifestFactory(repository=web)
    ManifestFactory(
        repository=web, path="front/package.json", ecosystem="npm", package_name="front"
    )
    ManifestFactory(repository=api, path="Gemfile", ecosystem="gem", errors=["malformed: line 3"])
    refresh_owner_counts()
    refresh_package_usage()  # as the end of a harvest does
    return {"ministry": ministry, "web": web}


def packages(response):
    return {(row["purl"], row["repositories"]) for row in response.context["packages"]}


def test_the_packages_by_repositories_at_runtime_then_every_scope(client, catalogue):
    response = client.get("/dependances/")

    assert response.status_code == 200
    # Forks and gone repositories are not counted; api declares Django twice: one repository.
    assert packages(response) == {("pkg:pypi/django", 2), ("pkg:npm/%40gouvfr/dsfr", 1)}
    assert packages(client.get("/dependances/", {"scope": "all"})) == {
        ("pkg:pypi/django", 3),
        ("pkg:npm/%40gouvfr/dsfr", 1),
    }
    assert packages(client.get("/dependances/", {"ecosystem": "npm"})) == {
        ("pkg:npm/%40gouvfr/dsfr", 1)
    }
    assert packages(client.get("/dependances/", {"q": "djan"})) == {("pkg:pypi/django", 2)}
    slug = catalogue["ministry"].slug
    assert packages(client.get("/dependances/", {"ministry": slug})) == {
        ("pkg:pypi/django", 1),
        ("pkg:npm/%40gouvfr/dsfr", 1),
    }
    html = response.content.decode()
    assert "/dependances/pypi/django/" in html and "/dependances/npm/@gouvfr/dsfr/" in html


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_packages_download(client, catalogue, fmt):
    response = client.get("/dependances/", {"format": fmt})

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert "pkg:pypi/django" in body and "https://pypi.org/project/django/" in body
    assert "dependances" in response["Content-Disposition"]


def test_the_repositories_filter_on_a_package(client, catalogue):
    found = listed_paths(client.get("/depots/", {"dependency": "pkg:pypi/django", "fork": "false"}))
    assert found == {"interieur/web", "autre/api"}
    found = listed_paths(
        client.get(
            "/depots/",
            {"dependency": "pkg:PyPI/Django", "dependency_scope": "all", "fork": "false"},
        )
    )
    assert found == {"interieur/web", "autre/api", "autre/tools"}
    # The fork declares it too: /depots/ shows forks unless asked.
    assert "autre/fork" in listed_paths(client.get("/depots/", {"dependency": "pkg:pypi/django"}))


@pytest.mark.parametrize(
    "value",
    [
        "django",
        "pkg:",
        "pkg:pypi/",
        "pkg:unknown/x",
        "pkg:pypi/%00",
        "x" * 5000,
        "pkg:pypi/a\x00b",
        "pkg:npm/%40/",
        "' OR 1=1 --",
    ],
)
def test_hostile_dependency_values_never_break_a_page(client, api_client_get, value):
    assert client.get("/depots/", {"dependency": value}).status_code == 200
    assert api_client_get("/api/v1/repositories/", {"dependency": value}).status_code in (200, 400)


@pytest.fixture
def api_client_get(client):
    return client.get


def test_a_packages_page(client, catalogue):
    response = client.get("/dependances/pypi/django/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["counts"] == {"every": 3, "runtime": 2}
    assert [
        (row["requirement"], row["repositories"]) for row in response.context["requirements"]
    ] == [
        (">=4.2", 2),
        ("~=5.0", 1),
    ]
    assert "https://pypi.org/project/django/" in html
    assert "?dependency=pkg%3Apypi/django" in html
    assert "interieur/web" in html and "autre/tools" in html and "autre/fork" not in html
    scoped = client.get("/dependances/npm/@gouvfr/dsfr/")
    assert (
        scoped.status_code == 200
        and "https://www.npmjs.com/package/@gouvfr/dsfr" in scoped.content.decode()
    )
    assert client.get("/dependances/pypi/unknown/").status_code == 404
    assert client.get("/dependances/../etc/").status_code == 404


def test_the_repository_page_lists_its_dependencies_by_manifest(client, catalogue):
    response = client.get("/depots/github.com/interieur/web/")

    html = response.content.decode()
    assert [item["manifest"].path for item in response.context["manifests"]] == [
        "front/package.json",
        "requirements.txt",
    ]
    assert [d.name for d in response.context["manifests"][0]["dependencies"]] == ["@gouvfr/dsfr"]
    assert "Dépendances" in html and "^1.11" in html and "publie front" in html
    errors = client.get("/depots/github.com/autre/api/").content.decode()
    assert "malformed: line 3" in errors


@pytest.mark.parametrize(
    "url",
    [
        "/dependances/",
        "/dependances/?scope=all&q=pkg",
        "/dependances/pypi/pkg-main/",
        "/depots/github.com/org/main/",
    ],
)
def test_query_count_does_not_grow_with_rows(client, url, warm_navigation_cache):
    owner = OwnerFactory(path="org")
    main = RepositoryFactory(owner=owner, name="main")
    DependencyFactory(repository=main, name="pkg-main")
    ManifestFactory(repository=main)
    created = [0]

    def queries_for(rows):
        for _ in range(rows):
            created[0] += 1
            repository = RepositoryFactory(owner=owner)
            DependencyFactory(repository=repository, name="pkg-main")
            DependencyFactory(repository=repository, name=f"pkg-{created[0]}")
            DependencyFactory(
                repository=main, name=f"pkg-{created[0]}", manifest="b/requirements.txt"
            )
        ManifestFactory(repository=main, path=f"dir{rows}/requirements.txt")
        refresh_owner_counts()
        refresh_package_usage()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries_for(5) == queries_for(10)


def test_the_pages_are_in_the_sitemaps(client, catalogue):
    assert "/dependances/</loc>" in client.get("/sitemap-static.xml").content.decode()
    body = client.get("/sitemap-dependances.xml").content.decode()
    assert "/dependances/pypi/django/</loc>" in body
    assert "/dependances/npm/@gouvfr/dsfr/</loc>" in body


def test_the_pages_in_english(client, catalogue):
    listing = client.get("/en/dependances/").content.decode()
    assert "Dependencies" in listing and "2 packages" in listing
    detail = client.get("/en/dependances/pypi/django/").content.decode()
    assert "2 repositories depend on it at runtime" in detail
    assert "Dependencies" in client.get("/en/depots/github.com/interieur/web/").content.decode()
