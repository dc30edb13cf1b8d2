"""An agent whose public body is not in the list names it in their profile and declares on the
SILL; the editors see the name they typed and attach the right body."""

import re
import uuid

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import EDITOR_GROUP, sync_editor_group
from sill.models import Declaration, Instance, Software
from tests.factories import DEFAULT_PASSWORD, PublicBodyFactory, SoftwareFactory, UserFactory

pytestmark = pytest.mark.django_db

DECLARE_USER = "/sill/libreoffice/declarer/utilisateur/"
UNLISTED = "Mairie de Trifouilly-les-Oies"


@pytest.fixture
def software():
    return SoftwareFactory(name="LibreOffice", slug="libreoffice")


@pytest.fixture
def unlisted_agent(client):
    agent = UserFactory(public_body=None, public_body_unlisted=UNLISTED)
    client.force_login(agent)
    return agent


def text(response):
    return response.content.decode()


def test_a_new_agent_names_their_unlisted_body_declares_and_an_editor_sees_it(client, software):
    PublicBodyFactory(name="Ministère de la Culture")
    User.objects.create_user(email="camille.martin@trifouilly.gouv.fr", password=DEFAULT_PASSWORD)
    response = client.post(
        "/compte/connexion/?next=" + DECLARE_USER,
        {"username": "camille.martin@trifouilly.gouv.fr", "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == DECLARE_USER

    # No body yet: the SILL sends the agent to their profile first.
    page = text(client.get(DECLARE_USER))
    assert "Indiquez d’abord votre organisme public" in page
    profile_url = re.search(r'href="(/compte/modifier/\?next=[^"]+)"', page)[1]
    assert 'name="next" value="/sill/libreoffice/declarer/utilisateur/"' in text(
        client.get(profile_url)
    )

    # Their body is nowhere in the list…
    found = client.post(
        profile_url,
        {
            "public_body_query": "Trifouilly",
            "search_public_body": "1",
            "next": DECLARE_USER,
        },
    )
    assert "Aucun organisme trouvé pour « Trifouilly »" in text(found)
    assert 'name="next" value="/sill/libreoffice/declarer/utilisateur/"' in text(found)
    # …so they name it, and come back to the SILL.
    saved = client.post(
        profile_url,
        {
            "first_name": "Camille",
            "last_name": "Martin",
            "public_body_query": "Trifouilly",
            "public_body": "autre",
            "public_body_unlisted": UNLISTED,
            "next": DECLARE_USER,
        },
    )
    assert saved.status_code == 302 and saved["Location"] == DECLARE_USER

    form = text(client.get(DECLARE_USER))
    assert 'name="use_case"' in form and "Indiquez d’abord" not in form
    assert f"Au nom de : <strong>{UNLISTED}</strong> (organisme absent de la liste" in form
    response = client.post(
        DECLARE_USER,
        {"submission_token": str(uuid.uuid4()), "use_case": "Les agents de la mairie."},
        follow=True,
    )

    assert "sera publiée après validation" in text(response)
    declaration = Declaration.objects.get()
    assert (declaration.public_body, declaration.public_body_unlisted) == (None, UNLISTED)
    assert declaration.moderation_status == "pending"
    assert UNLISTED in text(client.get("/compte/"))

    # An editor reads the typed name in the moderation queue, then attaches the right body.
    sync_editor_group(django_apps)
    editor = UserFactory(is_staff=True, email="editrice@numerique.gouv.fr")
    editor.groups.add(Group.objects.get(name=EDITOR_GROUP))
    client.force_login(editor)
    queue = text(client.get("/admin/moderation/"))
    assert f"Organisme non répertorié : « {UNLISTED} » (à rattacher)" in queue
    assert "camille.martin@trifouilly.gouv.fr" in queue
    unlisted_only = text(client.get("/admin/sill/declaration/?public_body_unlisted__isempty=0"))
    assert UNLISTED in unlisted_only and "LibreOffice" in unlisted_only
    change_url = f"/admin/sill/declaration/{declaration.pk}/change/"
    assert UNLISTED in text(client.get(change_url))
    mairie = PublicBodyFactory(name="Commune de Trifouilly-les-Oies")
    response = client.post(
        change_url,
        {
            "user": declaration.user_id,
            "public_body": mairie.pk,
            "software": software.pk,
            "kind": "user",
            "version": "",
            "use_case": declaration.use_case,
            "service_url": "",
        },
    )
    assert response.status_code == 302
    declaration.refresh_from_db()
    # Attached to the right body; what the agent typed stays on record.
    assert (declaration.public_body, declaration.public_body_unlisted) == (mairie, UNLISTED)


def test_instances_and_proposals_of_an_unlisted_agent_carry_the_typed_name(
    client, software, unlisted_agent
):
    client.post(
        "/sill/libreoffice/instances/ajouter/",
        {"submission_token": str(uuid.uuid4()), "url": "https://office.trifouilly.fr"},
    )
    instance = Instance.objects.get()
    assert (instance.public_body, instance.public_body_unlisted) == (None, UNLISTED)

    client.post(
        "/sill/proposer/",
        {"submission_token": str(uuid.uuid4()), "name": "Grist", "uses": "on"},
    )
    declaration = Software.objects.get(name="Grist").declarations.get()
    assert (declaration.public_body, declaration.public_body_unlisted) == (None, UNLISTED)


def test_an_agent_with_a_listed_body_declares_for_it_without_a_typed_name(client, software):
    body = PublicBodyFactory(name="Ministère de la Culture")
    client.force_login(UserFactory(public_body=body))
    assert "Au nom de : <strong>Ministère de la Culture</strong>." in text(client.get(DECLARE_USER))

    client.post(DECLARE_USER, {"submission_token": str(uuid.uuid4()), "use_case": "Tous."})

    declaration = Declaration.objects.get()
    assert (declaration.public_body, declaration.public_body_unlisted) == (body, "")


def test_the_queue_shows_a_listed_body_as_it_is(client, software):
    sync_editor_group(django_apps)
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR_GROUP))
    body = PublicBodyFactory(name="Ministère de la Culture")
    Declaration.objects.create(
        user=UserFactory(public_body=body),
        software=software,
        kind="user",
        public_body=body,
        moderation_status="pending",
    )
    client.force_login(editor)

    queue = text(client.get("/admin/moderation/"))

    assert "Ministère de la Culture" in queue and "Organisme non répertorié" not in queue
