"""The agent's own space: profile, everything they declared, account deletion."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from contributions.models import Contribution, UnpublishedCode
from sill.models import Declaration, Instance, Software
from tests.factories import (
    ContributionFactory,
    DeclarationFactory,
    InstanceFactory,
    PublicBodyFactory,
    SoftwareFactory,
    UnpublishedCodeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def body():
    return PublicBodyFactory(name="Ministère de la Culture")


@pytest.fixture
def agent(body):
    return UserFactory(
        email="camille.martin@culture.gouv.fr",
        first_name="Camille",
        last_name="Martin",
        public_body=body,
        about="Cheffe de projet <b>numérique</b>.",
    )


def text(response):
    return response.content.decode()


def test_the_profile_needs_a_login(client):
    for url in ("/compte/", "/compte/modifier/", "/compte/supprimer/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/compte/connexion/?next={url}"
    assert client.post("/compte/supprimer/", {"email": "x@y.fr"}).status_code == 302


def test_the_header_links_to_the_account_and_logs_out_with_a_post(client, agent):
    assert "Mon compte" not in text(client.get("/"))
    client.force_login(agent)
    html = text(client.get("/"))
    assert '<a class="fr-btn fr-icon-account-circle-line" href="/compte/">Mon compte</a>' in html
    assert '<form method="post" action="/compte/deconnexion/">' in html


def test_the_profile_shows_who_the_agent_is_and_that_they_may_declare(client, agent):
    client.force_login(agent)

    html = text(client.get("/compte/"))

    assert "Camille Martin" in html and "camille.martin@culture.gouv.fr" in html
    assert "Ministère de la Culture" in html
    assert "Cheffe de projet &lt;b&gt;numérique&lt;/b&gt;." in html  # escaped
    assert "Non affiché : seul mon organisme apparaît" in html
    assert "Vous êtes reconnu comme agent public" in html
    assert 'href="/sill/proposer/"' in html
    assert "Vous n’avez encore rien déclaré." in html


def test_a_person_who_is_not_an_agent_reads_why_they_cannot_declare(client):
    client.force_login(UserFactory(outsider=True))

    html = text(client.get("/compte/"))

    assert "n’est pas reconnue comme celle d’un agent public" in html
    assert "Seuls les agents des administrations et organismes publics peuvent déclarer" in html
    assert "univ-*.fr" not in html and "cnrs.fr" not in html  # never the allow-list
    assert 'href="/sill/proposer/"' not in html


def test_the_profile_lists_everything_declared_with_its_status_and_actions(client, agent):
    software = SoftwareFactory(name="LibreOffice", slug="libreoffice")
    declaration = DeclarationFactory(user=agent, software=software, kind="referent")
    instance = InstanceFactory(
        user=agent, software=software, url="https://office.culture.gouv.fr", pending=True
    )
    proposal = SoftwareFactory(name="Grist", slug="grist", proposed=True, submitted_by=agent)
    contribution = ContributionFactory(
        author=agent,
        project_name="Nextcloud",
        moderation_status="rejected",
        moderation_reason="Lien de preuve introuvable",
    )
    code = UnpublishedCodeFactory(
        author=agent, name="Gestion des congés", moderation_status="hidden"
    )
    # Someone else's declarations are not listed.
    DeclarationFactory(software=SoftwareFactory(name="Firefox ESR"))
    ContributionFactory(project_name="Projet d’un autre")
    client.force_login(agent)

    html = text(client.get("/compte/"))

    assert "5 déclarations" in html and "2 en attente de validation" in html
    assert '<a href="/sill/libreoffice/">LibreOffice</a>' in html and "Référent" in html
    assert f"/sill/declarations/{declaration.pk}/modifier/" in html
    assert f"/sill/declarations/{declaration.pk}/supprimer/" in html
    assert "https://office.culture.gouv.fr" in html
    assert f"/sill/instances/{instance.pk}/modifier/" in html
    assert f"/sill/instances/{instance.pk}/supprimer/" in html
    assert '<a href="/sill/grist/">Grist</a>' in html
    assert f"/sill/propositions/{proposal.pk}/supprimer/" in html
    assert "Nextcloud" in html and "Motif : Lien de preuve introuvable" in html
    assert f"/contributions/{contribution.pk}/modifier/" in html
    assert f"/contributions/{contribution.pk}/supprimer/" in html
    assert "Gestion des congés" in html
    assert f"/depots/a-publier/{code.pk}/" in html
    for badge in ("Publié", "En attente de validation", "Refusé", "Masqué"):
        assert badge in html
    assert "Firefox ESR" not in html and "Projet d’un autre" not in html


def test_the_profile_query_count_does_not_grow_with_declarations(
    client, agent, django_assert_num_queries, warm_navigation_cache
):
    client.force_login(agent)

    def queries_for(rows):
        for _ in range(rows):
            software = SoftwareFactory()
            DeclarationFactory(user=agent, software=software)
            DeclarationFactory(user=agent, software=software, kind="referent", pending=True)
            InstanceFactory(user=agent, software=software)
            SoftwareFactory(proposed=True, submitted_by=agent)
            ContributionFactory(author=agent, software=software)
            UnpublishedCodeFactory(author=agent)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/compte/").status_code == 200
        return len(captured)

    assert queries_for(3) == queries_for(6)


# --- editing the profile -------------------------------------------------------------------


def test_an_agent_edits_their_profile_but_not_their_address(client, agent):
    other_body = PublicBodyFactory(name="Cour des comptes")
    client.force_login(agent)
    form = text(client.get("/compte/modifier/"))
    assert 'name="email"' not in form and "camille.martin@culture.gouv.fr" in form
    assert "Organisme actuel : <strong>Ministère de la Culture</strong>" in form
    assert "Cour des comptes" not in form  # found by a search, never listed whole

    response = client.post(
        "/compte/modifier/",
        {
            "first_name": "Camille",
            "last_name": "Durand",
            "public_body": other_body.pk,
            "about": "Développeuse.",
            "show_name": "on",
            "email": "pirate@example.com",
        },
        follow=True,
    )

    agent.refresh_from_db()
    assert (agent.last_name, agent.public_body, agent.about, agent.show_name) == (
        "Durand",
        other_body,
        "Développeuse.",
        True,
    )
    assert agent.email == "camille.martin@culture.gouv.fr"
    assert "Votre profil est enregistré." in text(response)
    assert response.redirect_chain[-1][0] == "/compte/"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("about", "a" * 1001, "au plus 1000 caractères"),
        ("first_name", "p" * 151, "au plus 150 caractères"),
        ("last_name", "n" * 151, "au plus 150 caractères"),
        ("public_body", "999999", "Sélectionnez un choix valide."),
    ],
)
def test_a_bad_profile_field_is_refused(client, agent, field, value, message):
    client.force_login(agent)

    response = client.post("/compte/modifier/", {"first_name": "Camille", field: value})

    assert response.status_code == 200 and message in text(response)
    assert f'id="id_{field}-desc-error"' in text(response)
    agent.refresh_from_db()
    assert agent.first_name == "Camille" and agent.last_name == "Martin"


def test_a_body_set_from_a_siret_without_a_name_stays_the_agents_own(client):
    nameless = PublicBodyFactory(name="", pso_id="siren-110000000")
    user = UserFactory(public_body=nameless, siret="11000000000001", first_name="Camille")
    client.force_login(user)

    form = text(client.get("/compte/modifier/"))
    assert "Organisme actuel : <strong>Organisme non identifié</strong>" in form
    assert f'value="{nameless.pk}" dsfr="dsfr" id="id_public_body_0" checked' in form
    assert "siren-110000000" not in form  # never an identifier
    response = client.post(
        "/compte/modifier/", {"first_name": "Dominique", "public_body": nameless.pk}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.public_body) == ("Dominique", nameless)
    # Nobody else may choose it.
    other = UserFactory(public_body=None)
    client.force_login(other)
    response = client.post("/compte/modifier/", {"public_body": nameless.pk})
    assert "Sélectionnez un choix valide." in text(response)
    other.refresh_from_db()
    assert other.public_body is None


def test_the_profile_form_sends_back_to_a_safe_next_page_only(client):
    user = UserFactory(public_body=None)
    body = PublicBodyFactory()
    client.force_login(user)
    page = text(client.get("/compte/modifier/?next=/sill/libreoffice/declarer/utilisateur/"))
    assert 'name="next" value="/sill/libreoffice/declarer/utilisateur/"' in page

    response = client.post(
        "/compte/modifier/",
        {"public_body": body.pk, "next": "/sill/libreoffice/declarer/utilisateur/"},
    )
    assert response["Location"] == "/sill/libreoffice/declarer/utilisateur/"
    response = client.post(
        "/compte/modifier/", {"public_body": body.pk, "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/compte/"


# --- deleting the account --------------------------------------------------------------------


def test_deleting_the_account_asks_for_the_address_first(client, agent):
    DeclarationFactory(user=agent)
    client.force_login(agent)

    page = text(client.get("/compte/supprimer/"))
    assert "restent attribués à votre organisme public" in page
    assert "Ici : Ministère de la Culture." in page
    response = client.post("/compte/supprimer/", {"email": "quelqu.un@culture.gouv.fr"})

    assert response.status_code == 200
    assert "Cette adresse n’est pas celle de votre compte" in text(response)
    assert User.objects.filter(pk=agent.pk).exists()


def test_deleting_the_account_keeps_the_declarations_for_the_public_body(client, agent, body):
    other_body = PublicBodyFactory(name="Cour des comptes")
    software = SoftwareFactory(name="LibreOffice", slug="libreoffice")
    declaration = DeclarationFactory(user=agent, software=software, public_body=None)
    referent = DeclarationFactory(
        user=agent, software=software, kind="referent", public_body=other_body
    )
    instance = InstanceFactory(user=agent, software=software, public_body=None)
    proposal = SoftwareFactory(proposed=True, submitted_by=agent)
    contribution = ContributionFactory(author=agent, public_body=None)
    code = UnpublishedCodeFactory(author=agent, public_body=None)
    team_code = UnpublishedCodeFactory(author=agent, contact="dsi@culture.gouv.fr")
    untouched = DeclarationFactory(software=software, public_body=None)
    before = (
        Declaration.objects.count(),
        Instance.objects.count(),
        Software.objects.count(),
        Contribution.objects.count(),
        UnpublishedCode.objects.count(),
    )
    client.force_login(agent)

    response = client.post(
        "/compte/supprimer/", {"email": "Camille.Martin@culture.gouv.fr"}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/"
    assert "Votre compte est supprimé." in text(response)
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(pk=agent.pk).exists()
    after = (
        Declaration.objects.count(),
        Instance.objects.count(),
        Software.objects.count(),
        Contribution.objects.count(),
        UnpublishedCode.objects.count(),
    )
    assert after == before  # nothing lost
    for row in (declaration, referent, instance, contribution, code, team_code):
        row.refresh_from_db()
        assert row.author is None  # no name remains
    assert declaration.public_body == instance.public_body == body
    assert contribution.public_body == code.public_body == body
    assert referent.public_body == other_body  # a body already set is kept
    proposal.refresh_from_db()
    assert proposal.submitted_by is None and proposal.moderation_status == "pending"
    untouched.refresh_from_db()
    assert untouched.public_body is None and untouched.user is not None
    # Their own address goes with the account; a team address given as contact stays.
    assert (code.contact, team_code.contact) == ("", "dsi@culture.gouv.fr")
    assert "Camille" not in text(client.get("/sill/libreoffice/"))


def test_an_agent_changes_their_password_under_the_validators(client):
    from tests.factories import DEFAULT_PASSWORD

    user = UserFactory()
    client.force_login(user)
    assert "/compte/mot-de-passe/" in client.get("/compte/").content.decode()

    weak = client.post(
        "/compte/mot-de-passe/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert weak.status_code == 200
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)

    strong = "une phrase de passe bien longue"
    response = client.post(
        "/compte/mot-de-passe/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302 and response["Location"] == "/compte/"
    user.refresh_from_db()
    assert user.check_password(strong)
    assert "_auth_user_id" in client.session  # still logged in


def test_no_password_to_change_for_a_proconnect_account_or_without_local_login(client, settings):
    proconnect_user = UserFactory()
    proconnect_user.set_unusable_password()
    proconnect_user.save()
    client.force_login(proconnect_user)

    assert "/compte/mot-de-passe/" not in client.get("/compte/").content.decode()
    assert client.get("/compte/mot-de-passe/").status_code == 404

    settings.LOCAL_LOGIN_ENABLED = False
    client.force_login(UserFactory())
    assert client.get("/compte/mot-de-passe/").status_code == 404
