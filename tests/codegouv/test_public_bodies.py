"""What a ministry and a public body publish, use and contribute: their pages, and the
`ministry` and `public_body` filters and facets of the listings and exports."""

import csv
import io
import json

import pytest

from catalog.models import PublicBody
from catalog.services.counts import refresh_owner_counts
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


@pytest.fixture
def culture():
    """The Culture ministry, one of its bodies with a GitHub organisation, and a forge it
    runs whole whose accounts have no body of their own."""
    ministry = PublicBodyFactory(name="Ministère de la Culture", slug="culture", is_ministry=True)
    ministry.ministry = ministry
    ministry.save()
    bnf = PublicBodyFactory(
        name="Bibliothèque nationale de France",
        slug="bnf",
        acronym="BnF",
        parent=ministry,
        ministry=ministry,
    )
    RepositoryFactory(owner=OwnerFactory(path="bnf", public_body=bnf), name="gallica")
    forge = ForgeFactory(host="git.culture.gouv.fr", kind="gitlab", public_body=ministry)
    RepositoryFactory(owner=OwnerFactory(forge=forge, path="patrimoine"), name="merimee")
    RepositoryFactory(owner=OwnerFactory(path="elsewhere"), name="other")  # no body
    ContributionFactory(public_body=bnf, moderation_status="published")
    DeclarationFactory(public_body=bnf, software=SoftwareFactory(name="LibreOffice"))
    refresh_owner_counts()
    return ministry


def content(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def names(response, key="repositories"):
    return sorted(row.name if hasattr(row, "name") else row.path for row in response.context[key])


def test_the_ministry_filter_finds_the_repositories_of_its_bodies_and_of_the_forges_they_run(
    client, culture
):
    response = client.get("/depots/?ministry=culture")

    assert names(response) == ["gallica", "merimee"]
    # The removable filter tag names the ministry.
    assert "Ministère de la Culture" in response.content.decode()


def test_an_unknown_ministry_or_body_gives_no_result_not_an_error(client, culture):
    for url in [
        "/depots/?ministry=nowhere",
        "/depots/?public_body=nobody",
        "/organisations/?ministry=x",
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.count == 0


def test_a_public_body_filter_reads_its_slug_and_the_ids_of_older_links(client, culture):
    bnf = PublicBody.objects.get(slug="bnf")

    assert names(client.get("/depots/?public_body=bnf")) == ["gallica"]
    assert names(client.get(f"/depots/?public_body={bnf.pk}")) == ["gallica"]


def test_the_repository_facets_offer_ministries_and_bodies_by_name(client, culture):
    facets = client.get("/depots/").context["facets"]

    assert facets["ministry"] == [("culture", 2, "Ministère de la Culture")]
    assert ("bnf", 1, "Bibliothèque nationale de France") in facets["public_body"]


def test_organisations_contributions_and_the_sill_filter_by_ministry(client, culture):
    owners = client.get("/organisations/?ministry=culture").context["owners"]
    assert sorted(owner.path for owner in owners) == ["bnf", "patrimoine"]
    assert client.get("/contributions/?ministry=culture").context["page_obj"].paginator.count == 1
    assert client.get("/contributions/?ministry=other").context["page_obj"].paginator.count == 0
    software = client.get("/sill/?ministry=culture").context["page_obj"].object_list
    assert [s.name for s in software] == ["LibreOffice"]
    assert client.get("/contributions/").context["facets"]["ministry"] == [
        ("culture", 1, "Ministère de la Culture")
    ]


def test_the_ministries_page_lists_each_with_its_figures(client, culture):
    PublicBodyFactory(name="Premier ministre", slug="premier-ministre", is_ministry=True)

    response = client.get("/ministeres/")

    rows = {
        row["body"].slug: {f["key"]: f["value"] for f in row["figures"]}
        for row in response.context["ministries"]
    }
    assert rows["culture"] == {
        "bodies": 2,
        "owners": 2,
        "repositories": 2,
        "contributions": 1,
        "declarations": 1,
    }
    assert rows["premier-ministre"]["repositories"] == 0
    # Those that publish first.
    assert [row["body"].slug for row in response.context["ministries"]] == [
        "culture",
        "premier-ministre",
    ]
    assert '<a href="/ministeres/culture/">Ministère de la Culture</a>' in response.content.decode()


def test_a_ministry_page_shows_its_figures_bodies_organisations_and_repositories(client, culture):
    response = client.get("/ministeres/culture/")
    html = response.content.decode()

    assert response.status_code == 200
    assert {f["key"]: f["value"] for f in response.context["figures"]}["repositories"] == 2
    assert '<a href="/organismes/bnf/">Bibliothèque nationale de France</a>' in html
    assert "/depots/?ministry=culture" in html
    assert "/depots/?ministry=culture&amp;format=csv" in html
    assert sorted(r.name for r in response.context["repositories"]) == ["gallica", "merimee"]


def test_a_body_page_links_its_parent_and_ministry_and_a_ministry_slug_leads_there(client, culture):
    response = client.get("/organismes/bnf/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "BnF" in html
    assert '<a href="/ministeres/culture/">Ministère de la Culture</a>' in html
    assert [r.name for r in response.context["repositories"]] == ["gallica"]
    assert client.get("/ministeres/bnf/").url == "/organismes/bnf/"
    assert client.get("/organismes/nobody/").status_code == 404


def test_repository_organisation_and_contribution_pages_link_the_body_and_its_ministry(
    client, culture
):
    pages = [
        "/depots/github.com/bnf/gallica/",
        "/organisations/github.com/bnf/",
        f"/contributions/{culture.ministry_bodies.get(slug='bnf').contributions.get().pk}/",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert '/organismes/bnf/">Bibliothèque nationale de France</a>' in html, url
        assert '/ministeres/culture/">Ministère de la Culture</a>' in html, url
    # A forge's body is its accounts' body.
    html = client.get("/depots/git.culture.gouv.fr/patrimoine/merimee/").content.decode()
    assert '/ministeres/culture/">Ministère de la Culture</a>' in html


def test_exports_carry_body_and_ministry_names_and_ids(client, culture):
    rows = list(csv.DictReader(io.StringIO(content(client.get("/depots/?format=csv")))))
    by_name = {row["name"]: row for row in rows}

    assert by_name["gallica"]["public_body"] == "Bibliothèque nationale de France"
    assert by_name["gallica"]["public_body_id"] == "bnf"
    assert by_name["gallica"]["ministry"] == "Ministère de la Culture"
    assert by_name["merimee"]["ministry_id"] == "culture"
    assert by_name["other"]["ministry"] == ""
    owners = json.loads(content(client.get("/organisations/?format=json")))
    assert {o["path"]: o["ministry_id"] for o in owners}["patrimoine"] == "culture"
    contributions = json.loads(content(client.get("/contributions/?format=json")))
    assert contributions[0]["public_body_id"] == "bnf"
    assert contributions[0]["ministry"] == "Ministère de la Culture"


def test_the_sill_counts_only_published_declarations_for_a_ministry(client, culture):
    bnf = PublicBody.objects.get(slug="bnf")
    DeclarationFactory(
        public_body=bnf, software=SoftwareFactory(name="Pending"), moderation_status="pending"
    )

    response = client.get("/sill/?ministry=culture")

    assert [s.name for s in response.context["page_obj"].object_list] == ["LibreOffice"]
    assert response.context["facets"]["ministry"] == [("culture", 1, "Ministère de la Culture")]
    assert [s.name for s in client.get("/sill/?public_body=bnf").context["page_obj"]] == [
        "LibreOffice"
    ]
