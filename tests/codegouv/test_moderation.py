"""Editors moderate what agents declare: the queue, publish, reject with a reason, hide."""

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core import mail

from accounts.roles import EDITOR_GROUP, sync_editor_group
from moderation.models import ModerationStatus, initial_status
from sill.models import Declaration
from tests.factories import (
    ContributionFactory,
    SoftwareFactory,
    UnpublishedCodeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    sync_editor_group(django_apps)
    user = UserFactory(is_staff=True, email="editrice@numerique.gouv.fr")
    user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    client.force_login(user)
    return user


def _action(client, url, action, objects, **extra):
    return client.post(
        url,
        {"action": action, "_selected_action": [o.pk for o in objects], **extra},
        follow=True,
    )


def test_a_new_agent_waits_for_review_and_is_trusted_once_published(
    client, editor, django_capture_on_commit_callbacks
):
    agent = UserFactory(email="camille@interieur.gouv.fr")
    assert initial_status(agent) == ModerationStatus.PENDING
    contribution = ContributionFactory(author=agent, pending=True, project_name="GNU Emacs")

    with django_capture_on_commit_callbacks(execute=True):
        response = _action(
            client, "/admin/contributions/contribution/", "publish_selected", [contribution]
        )

    assert response.status_code == 200
    contribution.refresh_from_db()
    assert contribution.moderation_status == ModerationStatus.PUBLISHED
    assert contribution.moderated_by == editor
    assert contribution.moderated_at is not None
    agent.refresh_from_db()
    assert initial_status(agent) == ModerationStatus.PUBLISHED
    assert [m.to for m in mail.outbox] == [["camille@interieur.gouv.fr"]]
    assert "GNU Emacs" in mail.outbox[0].body
    assert LogEntry.objects.filter(object_id=str(contribution.pk), user=editor).exists()


def test_a_rejection_asks_for_a_reason_and_mails_it_to_the_author(
    client, editor, django_capture_on_commit_callbacks
):
    agent = UserFactory(email="dominique@education.gouv.fr")
    software = SoftwareFactory(proposed=True, submitted_by=agent, name="Logiciel douteux")
    url = "/admin/sill/software/"

    form = _action(client, url, "reject_selected", [software])
    assert "Motif du refus" in form.content.decode()
    empty = _action(client, url, "reject_selected", [software], apply="1", reason="  ")
    assert "Indiquez le motif du refus" in empty.content.decode()
    software.refresh_from_db()
    assert software.moderation_status == ModerationStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        _action(
            client,
            url,
            "reject_selected",
            [software],
            apply="1",
            reason="Déjà au SILL sous le nom LibreOffice.",
        )

    software.refresh_from_db()
    assert software.moderation_status == ModerationStatus.REJECTED
    assert software.moderation_reason == "Déjà au SILL sous le nom LibreOffice."
    assert software.moderated_by == editor
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dominique@education.gouv.fr"]
    assert "Déjà au SILL sous le nom LibreOffice." in mail.outbox[0].body
    agent.refresh_from_db()
    assert agent.trusted_at is None


def test_editors_hide_a_published_declaration_and_skip_what_cannot_be_decided(client, editor):
    shown = UnpublishedCodeFactory()
    waiting = UnpublishedCodeFactory(pending=True)

    response = _action(
        client, "/admin/contributions/unpublishedcode/", "hide_selected", [shown, waiting]
    )

    shown.refresh_from_db()
    waiting.refresh_from_db()
    assert shown.moderation_status == ModerationStatus.HIDDEN
    assert waiting.moderation_status == ModerationStatus.PENDING
    assert "1 élément ignoré" in response.content.decode()


def test_the_queue_lists_what_waits_and_the_index_counts_it(client, editor):
    agent = UserFactory(email="sacha@culture.gouv.fr")
    SoftwareFactory(proposed=True, submitted_by=agent, name="Proposition A")
    ContributionFactory(pending=True, author=agent, project_name="Projet en attente")
    ContributionFactory(project_name="Projet publié")
    Declaration.objects.create(
        user=agent,
        software=SoftwareFactory(),
        kind="user",
        moderation_status=ModerationStatus.PENDING,
    )

    queue = client.get("/admin/moderation/").content.decode()
    index = client.get("/admin/").content.decode()

    assert "Proposition A" in queue
    assert "Projet en attente" in queue
    assert "Projet publié" not in queue
    assert "sacha@culture.gouv.fr" in queue
    assert "3 éléments en attente" in index


def test_only_moderators_reach_the_queue_and_its_actions(client):
    agent = UserFactory(is_staff=True)
    client.force_login(agent)
    pending = ContributionFactory(pending=True)

    assert client.get("/admin/moderation/").status_code == 403
    _action(client, "/admin/contributions/contribution/", "publish_selected", [pending])

    pending.refresh_from_db()
    assert pending.moderation_status == ModerationStatus.PENDING


def test_the_moderation_state_cannot_be_edited_by_hand(client, editor):
    contribution = ContributionFactory(pending=True)

    page = client.get(f"/admin/contributions/contribution/{contribution.pk}/change/")

    assert page.status_code == 200
    assert 'name="moderation_status"' not in page.content.decode()


def test_a_mail_server_down_does_not_stop_the_decisions(
    client, editor, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    waiting = ContributionFactory.create_batch(2, pending=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = _action(
            client, "/admin/contributions/contribution/", "publish_selected", waiting
        )

    assert response.status_code == 200
    assert all(c.moderation_status == "published" for c in map(_reloaded, waiting))


def _reloaded(obj):
    obj.refresh_from_db()
    return obj


def test_the_queue_makes_the_same_number_of_queries_for_more_rows(client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        agent = UserFactory()
        Declaration.objects.create(
            user=agent, software=SoftwareFactory(), kind="user", moderation_status="pending"
        )
        ContributionFactory(pending=True, author=agent)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/moderation/").status_code == 200
        return len(captured)

    queries()  # the first admin page of a session also loads the session and permissions
    assert queries() == queries()


@pytest.fixture
def smtp_server(settings):
    from tests.fakesmtp import FakeSMTP

    server = FakeSMTP()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


def test_the_reason_reaches_the_author_through_a_real_smtp_server(
    client, editor, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "contact@code.gouv.fr"
    agent = UserFactory(email="alix@justice.gouv.fr")
    contribution = ContributionFactory(pending=True, author=agent, project_name="Nextcloud")

    with django_capture_on_commit_callbacks(execute=True):
        _action(
            client,
            "/admin/contributions/contribution/",
            "reject_selected",
            [contribution],
            apply="1",
            reason="Le lien de preuve ne mène à rien.",
        )

    [received] = smtp_server.messages
    assert received.recipients == ["alix@justice.gouv.fr"]
    assert received.sender == "contact@code.gouv.fr"
    body = received.message.get_payload(decode=True).decode()
    assert "Nextcloud" in body
    assert "Le lien de preuve ne mène à rien." in body


def test_linking_a_repository_marks_code_to_publish_as_published(client, editor):
    from tests.factories import RepositoryFactory

    code = UnpublishedCodeFactory(name="Outil de planning")
    repository = RepositoryFactory(name="planning")
    url = f"/admin/contributions/unpublishedcode/{code.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"technologies"}
    }
    data.update(
        {
            "technologies": '["Python"]',
            "author": code.author_id,
            "public_body": code.public_body_id,
            "published_repository": repository.pk,
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    code.refresh_from_db()
    assert code.published_repository == repository
    assert code.published_at is not None
