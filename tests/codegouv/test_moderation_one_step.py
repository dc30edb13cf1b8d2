"""Editors publish or refuse what waits in one step, from the queue or from the object's
admin page: POST only, CSRF-protected, for moderators who may change that kind of row."""

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client

from accounts.roles import EDITOR_GROUP, sync_editor_group
from moderation.models import ModerationStatus
from tests.factories import ContributionFactory, DeclarationFactory, SoftwareFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/"


@pytest.fixture
def editor(client):
    sync_editor_group(django_apps)
    user = UserFactory(is_staff=True, email="editrice@numerique.gouv.fr")
    user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    client.force_login(user)
    return user


@pytest.fixture
def declaration():
    agent = UserFactory(email="camille@interieur.gouv.fr", first_name="Camille", last_name="Martin")
    return DeclarationFactory(
        pending=True,
        user=agent,
        software=SoftwareFactory(name="LibreOffice", slug="libreoffice"),
        use_case="Traitement de texte de tous les agents du service.",
    )


def _reloaded(obj):
    obj.refresh_from_db()
    return obj


def test_the_queue_shows_what_waits_with_its_date_author_text_preview_and_decisions(
    client, editor, declaration
):
    page = client.get(QUEUE).content.decode()

    assert "Traitement de texte de tous les agents du service." in page
    assert "Camille Martin" in page
    assert "camille@interieur.gouv.fr" in page
    assert "Déclaré le" in page
    assert 'href="/sill/libreoffice/"' in page  # the preview on the portal
    assert f'action="/admin/sill/declaration/{declaration.pk}/publier/"' in page
    assert f'action="/admin/sill/declaration/{declaration.pk}/refuser/"' in page


def test_an_editor_publishes_from_the_queue_in_one_step(
    client, editor, declaration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/sill/declaration/{declaration.pk}/publier/", {"next": QUEUE}, follow=True
        )

    assert response.redirect_chain == [(QUEUE, 302)]
    assert "« LibreOffice — utilisateur » est publié." in response.content.decode()
    declaration = _reloaded(declaration)
    assert declaration.moderation_status == ModerationStatus.PUBLISHED
    assert declaration.moderated_by == editor
    assert _reloaded(declaration.user).trusted_at is not None  # as the action does
    assert [m.to for m in mail.outbox] == [["camille@interieur.gouv.fr"]]
    assert LogEntry.objects.filter(object_id=str(declaration.pk), user=editor).exists()
    assert "Traitement de texte" not in response.content.decode()  # no longer waiting


def test_refusing_needs_a_reason_then_mails_it(
    client, editor, declaration, django_capture_on_commit_callbacks
):
    url = f"/admin/sill/declaration/{declaration.pk}/refuser/"

    empty = client.post(url, {"next": QUEUE, "reason": "   "})

    assert empty.status_code == 200
    assert "Indiquez le motif du refus : il est envoyé à l’auteur." in empty.content.decode()
    assert _reloaded(declaration).moderation_status == ModerationStatus.PENDING
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"next": QUEUE, "reason": "Ce logiciel n’est pas utilisé."})

    assert done.status_code == 302
    assert done["Location"] == QUEUE
    declaration = _reloaded(declaration)
    assert declaration.moderation_status == ModerationStatus.REJECTED
    assert declaration.moderation_reason == "Ce logiciel n’est pas utilisé."
    assert "Ce logiciel n’est pas utilisé." in mail.outbox[0].body


def test_the_objects_page_has_the_decisions_and_comes_back_to_itself(client, editor):
    contribution = ContributionFactory(pending=True, project_name="QGIS")
    page_url = f"/admin/contributions/contribution/{contribution.pk}/change/"

    page = client.get(page_url).content.decode()
    assert "en attente de modération" in page
    assert f'action="/admin/contributions/contribution/{contribution.pk}/publier/"' in page

    response = client.post(
        f"/admin/contributions/contribution/{contribution.pk}/publier/", {"next": page_url}
    )

    assert response["Location"] == page_url
    assert _reloaded(contribution).moderation_status == ModerationStatus.PUBLISHED
    published = client.get(page_url).content.decode()
    assert "/publier/" not in published  # nothing left to publish
    assert "/refuser/" not in published


def test_a_decision_never_redirects_off_the_site(client, editor, declaration):
    response = client.post(
        f"/admin/sill/declaration/{declaration.pk}/publier/",
        {"next": "https://ailleurs.example/"},
    )

    assert response["Location"] == f"/admin/sill/declaration/{declaration.pk}/change/"


def test_what_cannot_be_decided_is_said_and_left_alone(client, editor):
    published = ContributionFactory(project_name="Déjà publiée")

    response = client.post(
        f"/admin/contributions/contribution/{published.pk}/refuser/",
        {"reason": "Trop tard."},
        follow=True,
    )

    assert "son état ne permet pas cette décision" in response.content.decode()
    assert _reloaded(published).moderation_status == ModerationStatus.PUBLISHED


def test_decisions_are_post_only_csrf_protected_and_permission_checked(client, declaration):
    url = f"/admin/sill/declaration/{declaration.pk}/publier/"
    # A moderator who may not change declarations: no buttons in the queue, 403 on POST.
    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.add(
        Permission.objects.get(codename="moderate_declarations"),
        Permission.objects.get(codename="view_declaration"),
    )
    client.force_login(moderator)
    assert "/publier/" not in client.get(QUEUE).content.decode()
    assert client.post(url).status_code == 403
    # A staff member who is not a moderator.
    client.force_login(UserFactory(is_staff=True))
    assert client.post(url).status_code == 403
    assert _reloaded(declaration).moderation_status == ModerationStatus.PENDING

    sync_editor_group(django_apps)
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR_GROUP))
    client.force_login(editor)
    assert client.get(url).status_code == 405
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(editor)
    assert csrf_client.post(url).status_code == 403
    assert _reloaded(declaration).moderation_status == ModerationStatus.PENDING


def test_the_admin_is_titled_after_the_site_and_leads_back_to_it(client, editor, settings):
    index = client.get("/admin/").content.decode()

    assert "Administration de Django" not in index
    assert "Django administration" not in index
    assert f"<title>Tableau de bord | Administration de {settings.SITE_NAME}</title>" in index
    assert f"retour au portail {settings.SITE_NAME}" in index
    assert 'class="codegouv-brand__marianne" href="/"' in index


def test_evidence_links_are_edited_one_per_line_in_the_admin(client, editor):
    contribution = ContributionFactory(
        project_url="https://github.com/qgis/QGIS",
        evidence_urls=[
            "https://github.com/qgis/QGIS/pull/1",
            "https://github.com/qgis/QGIS/pull/2",
        ],
    )
    url = f"/admin/contributions/contribution/{contribution.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    assert (
        ">\nhttps://github.com/qgis/QGIS/pull/1\nhttps://github.com/qgis/QGIS/pull/2</textarea>"
        in page.content.decode()
    )
    assert '["https://' not in page.content.decode()  # never the raw JSON
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"started_on", "ended_on"}
    }
    data["started_on"] = contribution.started_on.strftime("%d/%m/%Y")
    data["author"] = contribution.author_id
    data["public_body"] = contribution.public_body_id

    wrong = client.post(url, {**data, "evidence_urls": "https://a.example/1\njavascript:alert(1)"})
    assert wrong.status_code == 200
    assert "Ligne 2" in wrong.content.decode()

    saved = client.post(
        url, {**data, "evidence_urls": " https://a.example/1 \n\nhttps://b.example/2"}
    )
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert _reloaded(contribution).evidence_urls == ["https://a.example/1", "https://b.example/2"]
