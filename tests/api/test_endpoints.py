"""The lists and items of /api/v1/: what each carries, what they leave out, read-only."""

from datetime import UTC, date, datetime

import pytest

from catalog.enums import ArchiveState
from catalog.models import AWESOME_CRITERIA, Dependency, Manifest, Repository
from contributions.models import Contribution
from sill.models import Software
from tests.api.conftest import traverse
from tests.bluehats.factories import ContributorProfileFactory, EventFactory, GazetteIssueFactory
from tests.factories import (
    ContributionFactory,
    DeclarationFactory,
    ForgeFactory,
    OwnerFactory,
    PublicBodyFactory,
    RepositoryFactory,
    SoftwareFactory,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "repositories",
    "owners",
    "forges",
    "public-bodies",
    "ministries",
    "software",
    "contributions",
    "events",
    "gazette",
    "contributors",
]


@pytest.fixture
def catalogue():
    ministry = PublicBodyFactory(name="Ministère de la Culture", is_ministry=True)
    ministry.ministry = ministry
    ministry.save()
    body = PublicBodyFactory(name="Bibliothèque nationale", ministry=ministry, parent=ministry)
    owner = OwnerFactory(path="bnf", public_body=body, repository_count=2)
    repository = RepositoryFactory(
        owner=owner,
        license_spdx="EUPL-1.2",
        topics=["archives"],
        publiccode={"name": "Gallica", "_summary": {"name": "Gallica", "languages": ["fr"]}},
        publiccode_text="publiccodeYmlVersion: '0.4'\nname: Gallica\n",
        publiccode_valid=True,
        score=75,
        score_checkable=80,
        score_checks=[
            {"code": "license", "passed": True, "checked": True, "weight": 60, "label": "x"},
            {"code": "readme", "passed": False, "checked": True, "weight": 20, "label": "y"},
        ],
    )
    RepositoryFactory(owner=owner, archived=True)
    RepositoryFactory(owner=owner, gone=True)
    software = SoftwareFactory(name="LibreOffice", source_repository=repository)
    SoftwareFactory(proposed=True)
    DeclarationFactory(software=software, public_body=body)
    contribution = ContributionFactory(public_body=body, repository=repository, software=software)
    ContributionFactory(pending=True)
    ContributionFactory(moderation_status="hidden")
    return {
        "ministry": ministry,
        "body": body,
        "owner": owner,
        "repository": repository,
        "software": software,
        "contribution": contribution,
    }


@pytest.mark.parametrize("name", LISTS)
def test_every_list_answers_json_with_the_page_envelope(api, catalogue, name):
    response = api(f"{name}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"next", "previous", "results"}


def test_the_repositories_are_every_live_one_archived_included(api, catalogue):
    items = traverse(api, "repositories/")

    assert len(items) == 2  # the gone one is left out, the archived one is in
    assert sum(item["is_archived"] for item in items) == 1
    excluded = traverse(api, "repositories/", archived="exclude")
    assert [item["id"] for item in excluded] == [catalogue["repository"].pk]
    only = traverse(api, "repositories/", archived="only")
    assert [item["is_archived"] for item in only] == [True]


def test_a_repository_carries_its_licence_score_publiccode_and_links(api, catalogue):
    repository = catalogue["repository"]

    item = api(f"repositories/{repository.pk}/").json()

    assert item["license"] == "EUPL-1.2"
    assert item["page_url"] == f"http://testserver{repository.get_absolute_url()}"
    assert item["url"] == f"http://testserver/api/v1/repositories/{repository.pk}/"
    assert item["score"]["value"] == 75
    assert item["score"]["checkable"] == 80
    assert [(c["code"], c["state"]) for c in item["score"]["checks"]] == [
        ("license", "passed"),
        ("readme", "failed"),
    ]
    assert item["publiccode"]["valid"] is True
    assert item["publiccode"]["summary"]["name"] == "Gallica"
    assert item["publiccode"]["document"] == {"name": "Gallica"}
    assert item["publiccode"]["raw"] == "publiccodeYmlVersion: '0.4'\nname: Gallica\n"
    assert item["owner"]["url"] == f"http://testserver/api/v1/owners/{repository.owner_id}/"
    assert item["public_body"]["slug"] == catalogue["body"].slug
    # Every related address answers.
    for url in (item["owner"]["url"], item["forge"]["url"], item["public_body"]["url"]):
        assert api(url).status_code == 200


def test_a_repository_item_lists_its_manifests_and_dependencies_the_list_does_not(api, catalogue):
    repository = catalogue["repository"]
    Manifest.objects.create(
        repository=repository, path="package.json", ecosystem="npm", package_name="@bnf/gallica"
    )
    Manifest.objects.create(
        repository=repository,
        path="back/pyproject.toml",
        ecosystem="pypi",
        errors=["line 3: invalid TOML"],
    )
    for name, purl, scope in (
        ("react", "pkg:npm/react", "runtime"),
        ("@babel/core", "pkg:npm/%40babel/core", "development"),
    ):
        Dependency.objects.create(
            repository=repository,
            manifest="package.json",
            ecosystem="npm",
            name=name,
            purl=purl,
            requirement="^1.0",
            scope=scope,
        )

    item = api(f"repositories/{repository.pk}/").json()

    npm, python = sorted(item["manifests"], key=lambda m: m["path"] != "package.json")
    assert npm["package_name"] == "@bnf/gallica"
    assert [(d["purl"], d["scope"]) for d in npm["dependencies"]] == [
        ("pkg:npm/%40babel/core", "development"),
        ("pkg:npm/react", "runtime"),
    ]
    assert python["errors"] == ["line 3: invalid TOML"] and python["dependencies"] == []
    listed = api("repositories/").json()["results"]
    assert all("manifests" not in row for row in listed)
    # The schema documents the item's extra field.
    schema = api("schema/", format="json").content.decode()
    assert "RepositoryDetail" in schema


def test_the_related_lists_filter_on_the_item(api, catalogue):
    owner = api(f"owners/{catalogue['owner'].pk}/").json()

    repositories = traverse(api, owner["repositories_url"])

    assert len(repositories) == 2


def test_software_and_contributions_are_the_published_ones(api, catalogue):
    software = traverse(api, "software/")
    contributions = traverse(api, "contributions/")

    assert [item["id"] for item in software] == [catalogue["software"].pk]
    assert software[0]["user_count"] == 1
    assert software[0]["source_repository"].endswith(
        f"/api/v1/repositories/{catalogue['repository'].pk}/"
    )
    assert [item["id"] for item in contributions] == [catalogue["contribution"].pk]
    assert contributions[0]["software"].endswith(f"/api/v1/software/{catalogue['software'].pk}/")


def test_ministries_and_public_bodies(api, catalogue):
    ministries = traverse(api, "ministries/")
    bodies = traverse(api, "public-bodies/")

    assert [item["name"] for item in ministries] == ["Ministère de la Culture"]
    assert {item["name"] for item in bodies} >= {
        "Ministère de la Culture",
        "Bibliothèque nationale",
    }
    body = next(item for item in bodies if item["name"] == "Bibliothèque nationale")
    assert body["ministry"].endswith(f"/api/v1/public-bodies/{catalogue['ministry'].pk}/")
    assert body["page_url"].endswith(f"/organismes/{catalogue['body'].slug}/")


@pytest.mark.parametrize(
    "path",
    ["software/{proposed}/", "contributions/{hidden}/", "repositories/{gone}/", "owners/0/"],
)
def test_an_unpublished_or_gone_item_is_a_404_problem(api, catalogue, path):
    ids = {
        "proposed": Software.objects.exclude(moderation_status="published").get().pk,
        "hidden": Contribution.objects.get(moderation_status="hidden").pk,
        "gone": Repository.objects.exclude(gone_since=None).get().pk,
    }

    response = api(path.format(**ids))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/repositories/", "/api/v1/repositories/{pk}/"])
def test_nothing_but_reads(client, catalogue, method, path):
    response = getattr(client, method)(path.format(pk=catalogue["repository"].pk))

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "GET" in response["Allow"]


def test_head_and_options(client, catalogue):
    assert client.head("/api/v1/repositories/").status_code == 200
    assert client.options("/api/v1/repositories/").status_code == 200


def test_an_unknown_address_under_the_api_is_a_404_problem(api):
    response = api("nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_no_cookie_is_set_or_needed(client, catalogue):
    response = client.get("/api/v1/repositories/")

    assert not response.cookies


# A repository that takes every branch of the serializers: the Awesome criteria, a
# publiccode.yml, an archived snapshot (any column they read beyond
# catalog.models.API_COLUMNS would be a query per row).
EVERY_BRANCH = {
    "awesome_checked_at": date(2026, 11, 2),
    **dict.fromkeys(AWESOME_CRITERIA, True),
    "publiccode": {"name": "Outil", "_summary": {"name": "Outil"}},
    "publiccode_text": "publiccodeYmlVersion: '0.4'\nname: Outil\n",
    "publiccode_valid": True,
    "archive_state": ArchiveState.ARCHIVED,
    "archive_snapshot": "swh:1:snp:" + "0" * 40,
    "archive_origin": "https://github.com/etalab/outil",
    "archive_visit_at": datetime(2026, 11, 1, tzinfo=UTC),
    "archive_visit_status": "full",
    "archive_checked_at": datetime(2026, 11, 2, tzinfo=UTC),
}


@pytest.mark.parametrize("name", LISTS)
def test_a_page_costs_the_same_queries_for_n_and_2n_rows(api, count_queries, name):
    def add_rows():
        for _ in range(3):
            body = PublicBodyFactory(is_ministry=True)
            owner = OwnerFactory(public_body=body, repository_count=1)
            repository = RepositoryFactory(owner=owner, **EVERY_BRANCH)
            software = SoftwareFactory(source_repository=repository)
            DeclarationFactory(software=software, public_body=body)
            ContributionFactory(public_body=body, software=software, repository=repository)
            event = EventFactory(organiser=body)
            event.software.add(software)
            event.repositories.add(repository)
            GazetteIssueFactory()
            ContributorProfileFactory()

    add_rows()
    api(f"{name}/")  # caches, content types
    first = count_queries(lambda: api(f"{name}/"))
    add_rows()
    second = count_queries(lambda: api(f"{name}/"))

    assert first == second


def test_owners_of_a_forge_harvested_whole_show_its_body_at_no_query_per_row(api, count_queries):
    """A ministry's GitLab harvested whole: its groups have no body of their own, the
    forge's is theirs (Owner.body), read with the page rather than once per row."""
    body = PublicBodyFactory(name="Ministère des Armées", is_ministry=True)
    forge = ForgeFactory(gitlab=True, public_body=body)

    def add_rows():
        for _ in range(3):
            RepositoryFactory(owner=OwnerFactory(forge=forge, public_body=None), forge=forge)

    add_rows()
    api("repositories/")  # caches, content types
    first = count_queries(lambda: api("repositories/"))
    add_rows()
    second = count_queries(lambda: api("repositories/"))
    items = api("repositories/").json()["results"]

    assert first == second
    assert len(items) == 6
    assert {item["public_body"]["name"] for item in items} == {"Ministère des Armées"}


def test_links_survive_paths_that_need_quoting(api, client):
    owner = OwnerFactory(path="ministère/équipe données/sous-groupe #1", repository_count=1)
    repository = RepositoryFactory(owner=owner, name="outil (v2) l'été 100% #1?@")

    item = api(f"owners/{owner.pk}/").json()

    assert ids_of(traverse(api, item["repositories_url"])) == [repository.pk]
    page = api(f"repositories/{repository.pk}/").json()["page_url"]
    assert client.get(page.removeprefix("http://testserver")).status_code == 200


def test_page_urls_are_the_french_pages_whatever_the_language(client):
    repository = RepositoryFactory()

    item = client.get(f"/api/v1/repositories/{repository.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert item["page_url"] == f"http://testserver{repository.get_absolute_url()}"
    assert "/en/" not in item["page_url"]


def ids_of(items):
    return [item["id"] for item in items]


def test_the_root_lists_every_list(api):
    response = api("")

    assert response.status_code == 200
    assert response["API-Version"] == "1.0"
    assert set(response.json()) == set(LISTS)
    assert api("nowhere/")["API-Version"] == "1.0"
