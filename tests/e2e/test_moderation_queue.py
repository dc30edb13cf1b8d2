"""An editor publishes a declaration from the moderation queue in one step, at desktop and
mobile widths, on pages axe finds no serious violation in; the object's own page has the same
decisions."""

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.roles import EDITOR_GROUP, sync_editor_group
from moderation.models import ModerationStatus
from sill.models import Declaration
from tests.e2e.conftest import DESKTOP, MOBILE, session_context
from tests.e2e.test_accessibility import AXE, BLOCKING, audit, describe, kept
from tests.factories import ContributionFactory, DeclarationFactory, SoftwareFactory, UserFactory

WIDTHS = {"desktop": DESKTOP, "mobile": MOBILE}


def audit_part(page, selector):
    """The blocking axe violations inside ``selector`` only (the rest of a change form is
    Django's own markup, its select2 widgets included, which we do not write)."""
    results = AXE.run(page, context=selector, options={"resultTypes": ["violations"]}).response
    return [
        {**violation, "nodes": kept(violation)}
        for violation in results["violations"]
        if violation["impact"] in BLOCKING and kept(violation)
    ]


@pytest.fixture
def editor(transactional_db):
    sync_editor_group(django_apps)
    user = UserFactory(is_staff=True, email="dominique.editrice@numerique.gouv.fr")
    user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    return user


@pytest.fixture
def waiting(transactional_db):
    agent = UserFactory(
        email="camille.martin@interieur.gouv.fr", first_name="Camille", last_name="Martin"
    )
    declaration = DeclarationFactory(
        pending=True,
        user=agent,
        software=SoftwareFactory(name="LibreOffice", slug="libreoffice"),
        use_case="Traitement de texte de tous les agents du service.",
    )
    contribution = ContributionFactory(pending=True, author=agent, project_name="QGIS")
    return declaration, contribution


@pytest.mark.parametrize("width", WIDTHS)
def test_an_editor_publishes_a_declaration_from_the_queue_in_one_step(
    browser, live_server, editor, waiting, width, screenshot
):
    declaration, contribution = waiting
    context = session_context(browser, live_server.url, editor, WIDTHS[width])
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/moderation/")
        expect(page.get_by_role("heading", level=1)).to_have_text("File de modération")
        group = page.get_by_role("region", name="Déclarations — 1")
        item = group.get_by_role("listitem").filter(has_text="LibreOffice — utilisateur")
        expect(item).to_contain_text("Déclaré le")
        expect(item).to_contain_text("Camille Martin")
        expect(item).to_contain_text("Traitement de texte de tous les agents du service.")
        expect(item.get_by_role("link", name="Aperçu sur le portail")).to_have_attribute(
            "href", "/sill/libreoffice/"
        )
        blocking = audit(page, f"admin-queue-{width}")
        assert not blocking, describe(blocking)
        screenshot(page, "queue")

        item.get_by_role("button", name="Publier").click()

        expect(page.locator(".messagelist")).to_contain_text(
            "« LibreOffice — utilisateur » est publié."
        )
        expect(page.get_by_role("region", name="Déclarations — 0")).to_contain_text(
            "Rien à modérer."
        )
        blocking = audit(page, f"admin-queue-published-{width}")
        assert not blocking, describe(blocking)
        screenshot(page, "published")
        declaration = Declaration.objects.get(pk=declaration.pk)
        assert declaration.moderation_status == ModerationStatus.PUBLISHED
        assert declaration.moderated_by == editor

        # The object's own page: its state and the same decisions, in an axe-clean panel.
        page.goto(f"{live_server.url}/admin/contributions/contribution/{contribution.pk}/change/")
        panel = page.get_by_role("region", name="Modération")
        expect(panel).to_contain_text("en attente de modération")
        expect(panel.get_by_role("button", name="Publier")).to_be_visible()
        expect(panel.get_by_role("textbox", name="Motif du refus")).to_be_visible()
        blocking = audit_part(page, ".codegouv-moderation-panel")
        assert not blocking, describe(blocking)
        screenshot(page, "object")
    finally:
        context.close()
