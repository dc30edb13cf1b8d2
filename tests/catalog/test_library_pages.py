"""/bibliotheques/: the packages published from catalogued repositories, its filters, sorts,
pagination and downloads; the "published by" line of a package's page."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.enums import LibraryStatus
from catalog.models import Library
from catalog.services.package_usage import refresh_package_usage
from tests.factories import (
    DependencyFactory,
    OwnerFactory,
    PublicBodyFactory,
    RepositoryFactory,
)

pytestmark = pytest.mark.django_db


def published(repository, ecosystem, name, purl, **fields):
    values = {
        "status": LibraryStatus.MATCHED,
        "repository": repository,
        "source_url": repository.web_url + ".git",
        "latest_version": "1.2.3",
        "registry_url": f"https://registry.example/{name}",
        "checked_at": timezone.now(),
    }
    return Library.objects.create(ecosystem=ecosystem, name=name, purl=purl, **values | fields)


@pytest.fixture
def catalogue():
    ministry = PublicBodyFactory(name="Ministère de l’Intérieur", is_ministry=True)
    ministry.ministry = ministry
    ministry.save()
    interieur = OwnerFactory(path="interieur", name="Intérieur", public_body=ministry)
    other = OwnerFactory(path="etalab")
    dsfr = RepositoryFactory(owner=interieur, name="dsfr")
    tool = RepositoryFactory(owner=other, name="tool")
    gone = RepositoryFactory(owner=other, name="gone", gone=True)
    published(dsfr, "npm", "@gouvfr/dsfr", "pkg:npm/%40gouvfr/dsfr")
    published(tool, "pypi", "etalab-tool", "pkg:pypi/etalab-tool")
    published(gone, "pypi", "gone-tool", "pkg:pypi/gone-tool")
    Library.objects.create(
        ecosystem="npm",
        name="squatted",
        purl="pkg:npm/squatted",
        status=LibraryStatus.MISMATCH,
        source_url="https://github.com/someone/else",
    )
    Library.objects.create(
        ecosystem="npm", name="absent", purl="pkg:npm/absent", status=LibraryStatus.NOT_FOUND
    )
    # Three repositories depend on the DSFR, one of them a fork (not counted).
    for user in (RepositoryFactory(), RepositoryFactory(), RepositoryFactory(fork=True)):
        DependencyFactory(
            repository=user,
            ecosystem="npm",
            name="@gouvfr/dsfr",
            purl="pkg:npm/%40gouvfr/dsfr",
            manifest="package.json",
        )
    DependencyFactory(ecosystem="pypi", name="etalab-tool", purl="pkg:pypi/etalab-tool")
    refresh_package_usage()  # as the end of a harvest does: the dependents' counts
    return {"ministry": ministry, "dsfr": dsfr}


def names(response):
    return [library.name for library in response.context["libraries"]]


def test_only_the_matched_packages_of_visible_repositories_are_listed(client, catalogue):
    response = client.get("/bibliotheques/")
    assert response.status_code == 200
    assert names(response) == ["@gouvfr/dsfr", "etalab-tool"]
    dsfr = response.context["libraries"][0]
    assert dsfr.dependents == 2
    text = response.content.decode()
    assert "interieur/dsfr" in text and "Ministère de l’Intérieur" in text
    assert "https://registry.example/@gouvfr/dsfr" in text
    assert "squatted" not in text and "gone-tool" not in text and "absent" not in text
    assert 'href="/dependances/npm/@gouvfr/dsfr/"' in text


def test_filters_and_sorts(client, catalogue):
    assert names(client.get("/bibliotheques/?ecosystem=pypi")) == ["etalab-tool"]
    ministry = catalogue["ministry"].slug
    assert names(client.get(f"/bibliotheques/?ministry={ministry}")) == ["@gouvfr/dsfr"]
    assert names(client.get(f"/bibliotheques/?public_body={ministry}")) == ["@gouvfr/dsfr"]
    assert names(client.get("/bibliotheques/?q=tool")) == ["etalab-tool"]
    assert names(client.get("/bibliotheques/?sort=name")) == ["@gouvfr/dsfr", "etalab-tool"]
    assert names(client.get("/bibliotheques/?ministry=nowhere")) == []


@pytest.mark.parametrize(
    "query",
    [
        "?ecosystem=nope",
        "?ecosystem=../../etc",
        "?sort=drop table",
        "?page=abc",
        "?per_page=1000000",
        "?ministry=" + "x" * 300,
        "?public_body=99999999999999999999999",
        "?q=%00",
    ],
)
def test_hostile_parameters_give_a_page(client, catalogue, query):
    response = client.get("/bibliotheques/" + query)
    assert response.status_code == 200


def test_a_page_past_the_end_is_a_clear_404(client, catalogue):
    response = client.get("/bibliotheques/?page=9999")
    assert response.status_code == 404
    assert "<h1" in response.content.decode()


def test_pagination(client, catalogue):
    repository = catalogue["dsfr"]
    for number in range(25):
        published(repository, "cargo", f"crate-{number:02}", f"pkg:cargo/crate-{number:02}")
    first = client.get("/bibliotheques/?sort=name")
    second = client.get("/bibliotheques/?sort=name&page=2")
    assert len(names(first)) == 20 and len(names(second)) == 7
    assert set(names(first)).isdisjoint(names(second))


def test_the_empty_state_says_why(client, db):
    response = client.get("/bibliotheques/")
    assert response.status_code == 200
    assert "Aucune bibliothèque n’est encore rattachée" in response.content.decode()


def test_csv_and_json_downloads(client, catalogue):
    response = client.get("/bibliotheques/?format=csv&ecosystem=npm")
    assert response.status_code == 200
    assert "bibliotheques" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["name"], row["dependents"], row["public_body"]) for row in rows] == [
        ("@gouvfr/dsfr", "2", "Ministère de l’Intérieur")
    ]
    assert rows[0]["repository_url"].endswith("/depots/github.com/interieur/dsfr/")
    response = client.get("/bibliotheques/?format=json&sort=name")
    data = json.loads(b"".join(response.streaming_content))
    assert [row["name"] for row in data] == ["@gouvfr/dsfr", "etalab-tool"]


def test_the_english_page_is_translated(client, catalogue):
    response = client.get("/en/bibliotheques/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Libraries published by public administrations" in text
    assert "2 libraries" in text and "Published from" in text
    assert "Repositories that depend on it" in text and "Search for a library" in text
    assert "Bibliothèques publiées" not in text and "Dépôts qui en dépendent" not in text
    assert "Repositories that depend on it (any scope)" in text
    package = client.get("/en/dependances/npm/@gouvfr/dsfr/").content.decode()
    assert "Published by the repository" in package and "Latest version: 1.2.3." in package
    assert "Publié par" not in package


def test_the_package_page_says_who_publishes_it(client, catalogue):
    response = client.get("/dependances/npm/@gouvfr/dsfr/")
    text = response.content.decode()
    assert "Publié par le dépôt" in text and "/depots/github.com/interieur/dsfr/" in text
    response = client.get("/dependances/pypi/django/")
    assert "Publié par le dépôt" not in response.content.decode()


def test_the_dependency_listing_links_to_the_libraries(client, catalogue):
    assert 'href="/bibliotheques/"' in client.get("/dependances/").content.decode()


def test_the_listing_costs_the_same_queries_for_n_and_2n_rows(
    client, catalogue, django_assert_num_queries
):
    client.get("/bibliotheques/")  # what one first request caches
    with CaptureQueriesContext(connection) as few:
        client.get("/bibliotheques/")
    repository = catalogue["dsfr"]
    for number in range(4):
        other = RepositoryFactory(owner=OwnerFactory())
        published(other, "cargo", f"crate-{number}", f"pkg:cargo/crate-{number}")
    published(repository, "gem", "dsfr-gem", "pkg:gem/dsfr-gem")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/bibliotheques/")
    assert len(names(response)) == 7


def test_the_sitemap_lists_the_page(client, db):
    response = client.get("/sitemap-static.xml")
    assert "/bibliotheques/" in response.content.decode()
