"""On the demo `make run` serves, a person never reads a public body's directory id (a
UUID): the pages, exports, feeds and forms name bodies and ministries instead."""

import re

import pytest
from django.core.management import call_command

from catalog.models import Owner, PublicBody, Repository
from sill.models import Software
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SAMPLE = 12


def pages_of_the_demo():
    yield from [
        "/",
        "/depots/",
        "/depots/?format=csv",
        "/depots/?format=json",
        "/depots/flux.atom",
        "/organisations/",
        "/organisations/?format=csv",
        "/organisations/?format=json",
        "/ministeres/",
        "/contributions/",
        "/contributions/?format=csv",
        "/contributions/?format=json",
        "/sill/",
        "/sill/sill.json",
        "/statistiques/",
        "/donnees/dictionnaire/",
    ]
    for ministry in PublicBody.objects.ministries():
        yield ministry.get_absolute_url()
    for body in PublicBody.objects.exclude(slug=None).filter(is_ministry=False)[:SAMPLE]:
        yield body.get_absolute_url()
        yield f"/depots/?public_body={body.slug}"
    # Every ministry's page above; its filtered lists for a sample (each is a fresh count).
    for ministry in PublicBody.objects.ministries()[:SAMPLE]:
        yield f"/depots/?ministry={ministry.slug}"
        yield f"/organisations/?ministry={ministry.slug}"
    # The repositories and organisations of bodies, the most likely to show one.
    owners = Owner.objects.exclude(public_body=None).order_by("path")[:SAMPLE]
    for owner in owners:
        yield owner.get_absolute_url()
    for repository in Repository.objects.filter(owner__in=owners).order_by("full_path")[:SAMPLE]:
        yield repository.get_absolute_url()
    for software in Software.objects.published().order_by("name")[:SAMPLE]:
        yield software.get_absolute_url()


def test_no_page_export_feed_or_form_of_the_demo_shows_a_body_identifier(client):
    """And the repository facets offer its ministries by name."""
    call_command("load_demo")
    assert PublicBody.objects.count() > 100
    assert not PublicBody.objects.filter(name="").exists()

    pages = list(pages_of_the_demo())
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        found = UUID.search(body.decode())
        assert found is None, f"{url} shows {found.group()}"

    # The forms an agent fills: the profile and the declarations.
    agent = UserFactory(email="agent@numerique.gouv.fr")
    client.force_login(agent)
    software = Software.objects.published().order_by("name").first()
    for url in [
        "/compte/",
        "/compte/modifier/",
        "/contributions/declarer/",
        f"{software.get_absolute_url()}declarer/utilisateur/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not UUID.search(response.content.decode()), url
    assert len(pages) > 80

    client.logout()
    html = client.get("/depots/").content.decode()

    facet = html[html.index('id="facet-ministry"') :]
    facet = facet[: facet.index("</section>")]
    assert "Ministère de l&#x27;Enseignement supérieur et de la Recherche" in facet
    assert "?ministry=ministere-de-lenseignement-superieur-et-de-la-recherche" in facet
