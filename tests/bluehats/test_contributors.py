"""Opt-in public contributor profiles: their contributions and talks, never an address."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bluehats.models import ContributorProfile
from tests.bluehats.factories import ContributorProfileFactory, EventFactory
from tests.factories import (
    ContributionFactory,
    DeclarationFactory,
    PublicBodyFactory,
    SoftwareFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OWN = "/contributeurs/mon-profil/"


def test_a_public_profile_shows_contributions_and_talks_and_no_address(client):
    profile = ContributorProfileFactory(display_name="Camille Durand")
    ContributionFactory(author=profile.user, project_name="LibreOffice")
    ContributionFactory(author=profile.user, project_name="En attente", pending=True)
    talk = EventFactory(title="Webinaire Grist")
    talk.speaker_profiles.add(profile)

    listing = client.get("/contributeurs/").content.decode()
    page = client.get(f"/contributeurs/{profile.slug}/").content.decode()

    assert "Camille Durand" in listing
    assert "LibreOffice" in page and "En attente" not in page
    assert "Webinaire Grist" in page
    assert 'href="https://github.com/cdurand"' in page
    for content in (listing, page):
        assert profile.user.email not in content and "@numerique.gouv.fr" not in content


def test_a_private_profile_is_a_404_for_everybody_but_its_owner(client):
    profile = ContributorProfileFactory(private=True, display_name="Profil privé")

    assert client.get(f"/contributeurs/{profile.slug}/").status_code == 404
    assert "Profil privé" not in client.get("/contributeurs/").content.decode()
    client.force_login(UserFactory())
    assert client.get(f"/contributeurs/{profile.slug}/").status_code == 404
    client.force_login(profile.user)
    assert "vous seul le voyez" in client.get(f"/contributeurs/{profile.slug}/").content.decode()


def test_an_agent_makes_their_profile_public(client):
    agent = UserFactory(first_name="Dominique", last_name="Martin")
    client.force_login(agent)
    assert 'value="Dominique Martin"' in client.get(OWN).content.decode()

    response = client.post(
        OWN,
        {
            "is_public": "on",
            "display_name": "Dominique Martin",
            "short_bio": "Référent logiciels libres",
            "body": "**Python** <script>alert(1)</script>",
            "forge_handles": "https://github.com/dmartin/\ngitlab.com/dmartin\n",
        },
        follow=True,
    )

    profile = ContributorProfile.objects.get()
    assert response.redirect_chain[-1][0] == "/contributeurs/dominique-martin/"
    assert profile.forge_handles == ["github.com/dmartin", "gitlab.com/dmartin"]
    content = response.content.decode()
    assert "<strong>Python</strong>" in content and "<script>alert" not in content
    assert agent.email not in content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_name", "agent@numerique.gouv.fr", "pas une adresse électronique"),
        ("forge_handles", "javascript:alert(1)", "n’est pas un compte de forge"),
    ],
)
def test_bad_profile_input_is_refused(client, field, value, message):
    client.force_login(UserFactory())
    data = {"display_name": "Nom", "short_bio": "", "body": "", "forge_handles": ""}

    response = client.post(OWN, data | {field: value})

    assert response.status_code == 200 and message in response.content.decode()
    assert not ContributorProfile.objects.exists()


def test_outsiders_have_no_profile_form(client):
    client.force_login(UserFactory(outsider=True))
    assert client.get(OWN).status_code == 403


@pytest.mark.parametrize("page", ["index", "detail"])
def test_query_count_does_not_grow(client, django_assert_num_queries, page, warm_navigation_cache):
    shown = ContributorProfileFactory(slug="montre")
    url = "/contributeurs/" if page == "index" else "/contributeurs/montre/"

    shown.shows_referent_declarations = True
    shown.save()

    def add(rows):
        for _i in range(rows):
            body = PublicBodyFactory(ministry=PublicBodyFactory(is_ministry=True))
            ContributorProfileFactory(user=UserFactory(public_body=body))
            ContributionFactory(author=shown.user)
            EventFactory().speaker_profiles.add(shown)
            DeclarationFactory(user=shown.user, kind="referent")

    add(3)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    add(3)
    with django_assert_num_queries(len(context.captured_queries)):
        assert client.get(url).status_code == 200


def test_profiles_show_their_body_and_filter_by_ministry(client):
    ministry = PublicBodyFactory(name="Ministère de la Culture", is_ministry=True)
    body = PublicBodyFactory(name="Bibliothèque nationale de France", ministry=ministry)
    ContributorProfileFactory(display_name="Alix Bnf", user=UserFactory(public_body=body))
    ContributorProfileFactory(display_name="Sacha Ailleurs")

    listing = client.get("/contributeurs/").content.decode()
    assert "Bibliothèque nationale de France" in listing
    assert f'<option value="{ministry.slug}"' in listing
    filtered = client.get("/contributeurs/", {"ministry": ministry.slug}).content.decode()
    assert "Alix Bnf" in filtered and "Sacha Ailleurs" not in filtered
    assert "Alix Bnf" in client.get("/contributeurs/", {"public_body": body.slug}).content.decode()
    assert client.get("/contributeurs/", {"ministry": "<script>"}).status_code == 200


def test_referent_declarations_show_only_when_the_agent_allows_it(client):
    profile = ContributorProfileFactory()
    DeclarationFactory(user=profile.user, kind="referent", software=SoftwareFactory(name="GLPI"))
    DeclarationFactory(
        user=profile.user, kind="referent", software=SoftwareFactory(name="Pending"), pending=True
    )
    url = f"/contributeurs/{profile.slug}/"
    assert "GLPI" not in client.get(url).content.decode()

    profile.shows_referent_declarations = True
    profile.save()
    page = client.get(url).content.decode()
    assert "Référent SILL pour" in page and "GLPI" in page and "Pending" not in page
