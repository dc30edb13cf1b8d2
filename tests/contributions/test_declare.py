"""Agents declare, edit and delete their contributions."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from contributions.models import Contribution
from tests.factories import (
    ContributionFactory,
    PublicBodyFactory,
    RepositoryFactory,
    SoftwareFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DECLARE = "/contributions/declarer/"


@pytest.fixture
def body():
    return PublicBodyFactory(name="Direction interministérielle du numérique")


@pytest.fixture
def agent(body):
    return UserFactory(public_body=body, first_name="Camille", last_name="Durand")


def form_data(**overrides):
    data = {
        "submission_token": str(uuid.uuid4()),
        "project_name": "LibreOffice",
        "project_url": "https://git.libreoffice.org/core",
        "kind": "code",
        "evidence": "https://gerrit.libreoffice.org/c/core/+/1234\n\nhttps://bugs.documentfoundation.org/show_bug.cgi?id=42\n",
        "started_on": "2024-03-04",
        "ended_on": "",
        "description": "Correction de l’export **ODF** <script>alert(1)</script>",
    }
    data.update(overrides)
    return data


def test_an_agent_declares_a_contribution_and_sees_it_pending(client, agent, body):
    client.force_login(agent)
    form = client.get(DECLARE)
    assert form.status_code == 200
    # The body of the agent's account is chosen in advance.
    assert f'<option value="{body.pk}" selected>' in form.content.decode()

    response = client.post(DECLARE, form_data(public_body=body.pk), follow=True)

    contribution = Contribution.objects.get()
    assert response.redirect_chain[-1][0] == f"/contributions/{contribution.pk}/"
    page = response.content.decode()
    assert "sera publiée après vérification" in page
    assert "en attente de modération" in page
    assert "<strong>ODF</strong>" in page and "<script>alert" not in page
    assert contribution.is_pending and contribution.author == agent
    assert contribution.public_body == body
    assert contribution.evidence_urls == [
        "https://gerrit.libreoffice.org/c/core/+/1234",
        "https://bugs.documentfoundation.org/show_bug.cgi?id=42",
    ]
    assert contribution.project_key == "git.libreoffice.org/core"


def test_a_trusted_agent_is_published_at_once_and_listed(client, body):
    agent = UserFactory(trusted=True, public_body=body)
    client.force_login(agent)
    client.post(DECLARE, form_data(public_body=body.pk, ended_on="2024-05-01"))

    assert Contribution.objects.get().is_published
    listing = client.get("/contributions/").content.decode()
    assert "LibreOffice" in listing and "Du 4 mars 2024 au 1 mai 2024" in listing


def test_an_agent_without_a_body_must_choose_one(client):
    agent = UserFactory()
    client.force_login(agent)
    page = client.get(DECLARE).content.decode()
    assert "Votre compte n’est rattaché à aucun organisme public" in page

    response = client.post(DECLARE, form_data())

    assert response.status_code == 200
    assert (
        "Choisissez l’organisme public au titre duquel vous déclarez." in response.content.decode()
    )
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("project_url", "javascript:alert(1)", "commençant par http:// ou https://"),
        ("project_url", "ftp://ftp.example.org/projet", "commençant par http:// ou https://"),
        ("evidence", "https://ok.example.org/1\nvoir le ticket", "Ligne 2 : « voir le ticket »"),
        ("evidence", "javascript:alert(1)", "Ligne 1 : « javascript:alert(1) »"),
        (
            "evidence",
            "\n".join(f"https://example.org/pr/{i}" for i in range(21)),
            "Indiquez 20 liens au plus (vous en avez saisi 21).",
        ),
        ("project_name", "x" * 201, "au plus 200 caractères"),
        ("description", "x" * 5001, "au plus 5000 caractères"),
        ("kind", "poetry", "Sélectionnez un choix valide"),
        ("started_on", "", "Ce champ est obligatoire."),
        ("started_on", "pas une date", "Saisissez une date valide."),
    ],
)
def test_bad_input_is_refused_field_by_field(client, agent, body, field, value, message):
    client.force_login(agent)

    response = client.post(DECLARE, form_data(public_body=body.pk, **{field: value}))

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count(message) == 1
    # The message sits with its field.
    error_box = content.index(f'id="id_{field}-desc-error"')
    assert content.index(message, error_box) - error_box < 400
    assert not Contribution.objects.exists()


def test_dates_in_the_future_or_in_the_wrong_order_are_refused(client, agent, body):
    client.force_login(agent)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    future = client.post(DECLARE, form_data(public_body=body.pk, started_on=tomorrow))
    future_end = client.post(DECLARE, form_data(public_body=body.pk, ended_on=tomorrow))
    reversed_ = client.post(
        DECLARE, form_data(public_body=body.pk, started_on="2024-03-04", ended_on="2024-03-01")
    )

    assert "La date ne peut pas être dans le futur." in future.content.decode()
    assert "La fin de la période ne peut pas être dans le futur." in future_end.content.decode()
    assert "La fin de la période doit être postérieure ou égale à son début." in (
        reversed_.content.decode()
    )
    assert not Contribution.objects.exists()


def test_a_double_submission_creates_one_contribution(client, agent, body):
    client.force_login(agent)
    data = form_data(public_body=body.pk)

    client.post(DECLARE, data)
    second = client.post(DECLARE, data, follow=True)

    assert Contribution.objects.count() == 1
    assert "Cette contribution était déjà enregistrée." in second.content.decode()


def test_another_agents_token_never_gives_their_contribution(client, agent, body):
    other = ContributionFactory(submission_token=uuid.uuid4())
    client.force_login(agent)

    response = client.post(
        DECLARE, form_data(public_body=body.pk, submission_token=str(other.submission_token))
    )

    assert response.status_code == 200
    assert "Ce formulaire a expiré" in response.content.decode()
    assert Contribution.objects.count() == 1


def test_anonymous_visitors_are_sent_to_the_login_page_and_change_nothing(client, body):
    contribution = ContributionFactory(project_name="Avant")

    for url in (DECLARE, f"/contributions/{contribution.pk}/modifier/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/compte/connexion/")
    posted = client.post(DECLARE, form_data(public_body=body.pk))
    edited = client.post(
        f"/contributions/{contribution.pk}/modifier/",
        form_data(project_name="Après", public_body=body.pk),
    )
    deleted = client.post(f"/contributions/{contribution.pk}/supprimer/")

    assert {posted.status_code, edited.status_code, deleted.status_code} == {302}
    assert list(Contribution.objects.values_list("project_name", flat=True)) == ["Avant"]


def test_a_person_who_is_not_a_public_agent_gets_an_explanation(client, body):
    client.force_login(UserFactory(outsider=True))

    response = client.get(DECLARE)
    posted = client.post(DECLARE, form_data(public_body=body.pk))

    assert response.status_code == 403 and posted.status_code == 403
    assert "Réservé aux agents publics" in response.content.decode()
    assert not Contribution.objects.exists()


def test_the_author_edits_their_contribution(client, agent, body):
    contribution = ContributionFactory(author=agent, public_body=body, project_name="Ancien nom")
    client.force_login(agent)
    url = f"/contributions/{contribution.pk}/modifier/"
    assert "Ancien nom" in client.get(url).content.decode()

    response = client.post(url, form_data(project_name="Nouveau nom", public_body=body.pk))

    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.project_name == "Nouveau nom"
    assert contribution.project_key == "git.libreoffice.org/core"
    # Editing keeps a published contribution published.
    assert contribution.is_published


def test_correcting_a_refused_contribution_sends_it_back_to_moderation(client, agent, body):
    contribution = ContributionFactory(
        author=agent,
        moderation_status="rejected",
        moderation_reason="Ce n’est pas un logiciel libre.",
    )
    client.force_login(agent)
    page = client.get(f"/contributions/{contribution.pk}/").content.decode()
    assert "Déclaration refusée : Ce n’est pas un logiciel libre." in page

    client.post(f"/contributions/{contribution.pk}/modifier/", form_data(public_body=body.pk))

    contribution.refresh_from_db()
    assert contribution.is_pending


def test_the_author_deletes_after_confirming(client, agent):
    contribution = ContributionFactory(author=agent, project_name="À supprimer")
    client.force_login(agent)
    url = f"/contributions/{contribution.pk}/supprimer/"

    confirmation = client.get(url)
    assert confirmation.status_code == 200
    assert "Voulez-vous vraiment supprimer" in confirmation.content.decode()
    assert Contribution.objects.exists()

    response = client.post(url, follow=True)

    assert "La contribution à À supprimer est supprimée." in response.content.decode()
    assert not Contribution.objects.exists()


def test_another_agents_contribution_cannot_be_edited_or_deleted(client, agent, body):
    contribution = ContributionFactory(project_name="Pas à moi")
    client.force_login(agent)

    for url in (
        f"/contributions/{contribution.pk}/modifier/",
        f"/contributions/{contribution.pk}/supprimer/",
    ):
        assert client.get(url).status_code == 404
    edited = client.post(
        f"/contributions/{contribution.pk}/modifier/", form_data(public_body=body.pk)
    )
    deleted = client.post(f"/contributions/{contribution.pk}/supprimer/")

    assert edited.status_code == 404 and deleted.status_code == 404
    contribution.refresh_from_db()
    assert contribution.project_name == "Pas à moi"


def test_a_moderator_may_edit_anyones_contribution(client, body):
    from django.contrib.auth.models import Permission

    moderator = UserFactory()
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_declarations"))
    contribution = ContributionFactory(moderation_status="rejected")
    client.force_login(moderator)

    client.post(
        f"/contributions/{contribution.pk}/modifier/",
        form_data(project_name="Corrigé", public_body=body.pk),
    )

    contribution.refresh_from_db()
    assert contribution.project_name == "Corrigé"
    # Only the author's own correction sends it back to the queue.
    assert contribution.moderation_status == "rejected"
    assert contribution.author != moderator


def test_the_project_is_linked_to_the_catalogue_repository(client, agent, body):
    repository = RepositoryFactory(web_url="https://github.com/Etalab/Outil")
    client.force_login(agent)

    client.post(
        DECLARE,
        form_data(public_body=body.pk, project_url="https://GITHUB.com/etalab/outil.git/"),
    )

    contribution = Contribution.objects.get()
    assert contribution.repository == repository
    assert contribution.project_key == "github.com/etalab/outil"


def test_the_project_is_linked_to_a_published_sill_software(client, agent, body):
    software = SoftwareFactory(name="Nextcloud", source_url="https://github.com/nextcloud/server")
    SoftwareFactory(proposed=True, website="https://proposal.example.org")
    client.force_login(agent)

    client.post(
        DECLARE, form_data(public_body=body.pk, project_url="https://github.com/nextcloud/server/")
    )
    client.post(DECLARE, form_data(public_body=body.pk, project_url="https://proposal.example.org"))

    linked, unlinked = Contribution.objects.order_by("pk")
    assert linked.software == software and linked.repository is None
    # A proposal still under review is no link.
    assert unlinked.software is None


def test_editing_the_address_links_again(client, agent, body):
    repository = RepositoryFactory()
    contribution = ContributionFactory(author=agent, repository=repository)
    client.force_login(agent)

    client.post(
        f"/contributions/{contribution.pk}/modifier/",
        form_data(public_body=body.pk, project_url="https://elsewhere.example.org/projet"),
    )

    contribution.refresh_from_db()
    assert contribution.repository is None
    assert contribution.project_key == "elsewhere.example.org/projet"
