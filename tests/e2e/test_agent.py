"""A public agent declares what they use and what they contributed; an editor publishes it and
the public sees it, without the agent's address.

A person whose address is not a public agent's is told why they cannot declare.
"""

import re

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.roles import EDITOR_GROUP, sync_editor_group
from contributions.models import Contribution
from tests.e2e.conftest import PASSWORD, fill_login_form, log_in, new_context
from tests.factories import ForgeFactory, OwnerFactory, PublicBodyFactory, RepositoryFactory

AGENT_EMAIL = "camille.martin@interieur.gouv.fr"
EDITOR_EMAIL = "dominique.editrice@numerique.gouv.fr"
ALLOWED_DOMAIN_SAMPLES = ("ac-*", "univ-*", "cnrs.fr", "inria.fr", "inserm.fr")


@pytest.fixture
def agent(django_user_model, transactional_db):
    body = PublicBodyFactory(name="Ministère de l’Intérieur")
    return django_user_model.objects.create_user(
        email=AGENT_EMAIL,
        password=PASSWORD,
        first_name="Camille",
        last_name="Martin",
        public_body=body,
    )


@pytest.fixture
def qgis_repository(transactional_db):
    owner = OwnerFactory(forge=ForgeFactory(host="github.com"), path="qgis", name="QGIS")
    return RepositoryFactory(owner=owner, name="QGIS", description="Un SIG libre.")


@pytest.fixture
def editor(django_user_model, transactional_db):
    # Browser tests empty every table between tests, the group made by a migration included.
    sync_editor_group(django_apps)
    user = django_user_model.objects.create_user(
        email=EDITOR_EMAIL, password=PASSWORD, first_name="Dominique", is_staff=True
    )
    user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    return user


def alert(page, text):
    return page.locator(".fr-alert", has_text=text)


def test_agent_declares_an_editor_publishes_the_public_sees(
    browser, live_server, url, page, sill_software, agent, qgis_repository, editor, screenshot
):
    # The agent logs in from the SILL page's invitation and comes back to it.
    page.goto(url("/sill/libreoffice/"))
    page.get_by_role("link", name="Se connecter pour déclarer").click()
    expect(page).to_have_url(re.compile(r"/compte/connexion/\?next=/sill/libreoffice/$"))
    fill_login_form(page, AGENT_EMAIL)
    expect(page).to_have_url(url("/sill/libreoffice/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("LibreOffice")

    # "I use it": the form, then the success message and the pending state.
    page.get_by_role("link", name="Je l’utilise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("J’utilise LibreOffice")
    page.get_by_label("Version utilisée").fill("7.6")
    page.get_by_label("Cas d’usage").fill("Traitement de texte de tous les agents du service.")
    screenshot(page, "sill-form")
    page.get_by_role("button", name="Enregistrer ma déclaration").click()
    expect(page).to_have_url(re.compile(r"/sill/libreoffice/#mes-declarations$"))
    expect(alert(page, "Votre déclaration est enregistrée")).to_contain_text(
        "sera publiée après validation"
    )
    own = page.locator("#mes-declarations")
    expect(own).to_contain_text("Vous avez déclaré l’utiliser.")
    expect(own).to_contain_text("En attente de validation")
    # Pending: the public table of declarations does not count it yet.
    expect(
        page.get_by_text("Aucun agent public n’a encore déclaré utiliser ce logiciel.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Je l’utilise")).to_have_count(0)
    screenshot(page, "sill-declared")

    # A contribution, with evidence links and Markdown in its description.
    page.goto(url("/contributions/"))
    page.get_by_role("link", name="Déclarer une contribution").click()
    expect(page).to_have_url(url("/contributions/declarer/"))
    page.get_by_label("Nom du projet").fill("QGIS")
    page.get_by_label("Adresse du projet").fill("https://github.com/qgis/QGIS")
    # DSFR draws its own radio buttons: a person clicks the label.
    page.get_by_role("group", name="Nature de la contribution").get_by_text(
        "traduction", exact=True
    ).click()
    expect(page.get_by_label("traduction", exact=True)).to_be_checked()
    page.get_by_label("Liens vers la contribution").fill(
        "https://github.com/qgis/QGIS/pull/51234\nhttps://github.com/qgis/QGIS/pull/51301"
    )
    page.get_by_label("Date, ou début de la période").fill("2024-03-15")
    page.get_by_label("Description").fill(
        "Traduction de **l’interface** en français :\n\n- le module d’impression\n- l’aide"
    )
    expect(page.get_by_label("Organisme public")).to_have_value(str(agent.public_body_id))
    screenshot(page, "contribution-form")
    page.get_by_role("button", name="Déclarer", exact=True).click()

    expect(page).to_have_url(re.compile(r"/contributions/\d+/$"))
    contribution_url = page.url
    expect(alert(page, "Merci ! Votre contribution est enregistrée")).to_be_visible()
    expect(alert(page, "en attente de modération")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("QGIS : traduction")
    expect(page.locator(".codegouv-prose strong")).to_have_text("l’interface")
    expect(page.locator(".codegouv-prose li")).to_have_count(2)
    expect(page.get_by_role("link", name="https://github.com/qgis/QGIS/pull/51301")).to_be_visible()
    expect(page.locator("dl")).to_contain_text("Ministère de l’Intérieur")
    screenshot(page, "contribution-pending")

    # Both declarations on the account page, with their status; the contribution is edited.
    page.get_by_role("link", name="Mon compte").first.click()
    expect(page).to_have_url(url("/compte/"))
    expect(page.locator("#mes-declarations + p")).to_contain_text("2 déclarations")
    sill_row = page.get_by_role("row").filter(has_text="LibreOffice")
    expect(sill_row).to_contain_text("En attente de validation")
    contribution_row = page.get_by_role("row").filter(has_text="QGIS")
    expect(contribution_row).to_contain_text("Traduction")
    expect(contribution_row).to_contain_text("En attente de validation")
    screenshot(page, "account")
    contribution_row.get_by_role("link", name="Modifier — QGIS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier une contribution")
    description = page.get_by_label("Description")
    expect(description).to_have_value(re.compile(r"^Traduction de \*\*l’interface\*\*"))
    description.fill("Traduction de **toute l’interface** et de l’aide en ligne.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page).to_have_url(contribution_url)
    expect(alert(page, "La contribution est modifiée.")).to_be_visible()
    expect(page.locator(".codegouv-prose")).to_have_text(
        "Traduction de toute l’interface et de l’aide en ligne."
    )
    expect(page.locator(".codegouv-prose strong")).to_have_text("toute l’interface")
    expect(alert(page, "en attente de modération")).to_be_visible()

    # An editor, in another browser, publishes it from the moderation queue.
    editor_context = new_context(browser)
    try:
        editor_page = editor_context.new_page()
        editor_page.goto(url("/admin/moderation/"))
        expect(editor_page).to_have_url(
            re.compile(r"/compte/connexion/\?next=(/|%2F)admin(/|%2F)moderation(/|%2F)$")
        )
        fill_login_form(editor_page, EDITOR_EMAIL)
        expect(editor_page).to_have_url(url("/admin/moderation/"))
        queue = editor_page.locator("#content")
        expect(queue.get_by_role("heading", level=1)).to_have_text("File de modération")
        waiting = queue.get_by_role("region", name="Contributions — 1")
        item = waiting.get_by_role("listitem").filter(has_text="QGIS — traduction")
        expect(item).to_contain_text(AGENT_EMAIL)
        expect(item).to_contain_text("Traduction de **toute l’interface**")
        screenshot(editor_page, "moderation-queue")

        # One step: the item's "Publier" button.
        item.get_by_role("button", name="Publier").click()
        expect(editor_page).to_have_url(url("/admin/moderation/"))
        expect(editor_page.locator(".messagelist")).to_contain_text(
            "« QGIS — traduction » est publié."
        )
        screenshot(editor_page, "published")
    finally:
        editor_context.close()
    assert Contribution.objects.get().is_published

    # An anonymous visitor finds it with the search box; the agent's address is nowhere.
    visitor_context = new_context(browser)
    try:
        visitor = visitor_context.new_page()
        visitor.goto(url("/contributions/"))
        visitor.get_by_label("Rechercher une contribution").fill("interface")
        visitor.get_by_label("Rechercher une contribution").press("Enter")
        expect(visitor).to_have_url(re.compile(r"/contributions/\?q=interface"))
        expect(visitor.locator("#result-count")).to_contain_text("1 contribution")
        assert AGENT_EMAIL not in visitor.content()
        visitor.get_by_role("link", name="QGIS : traduction").click()
        expect(visitor).to_have_url(contribution_url)
        expect(visitor.get_by_role("heading", level=1)).to_have_text("QGIS : traduction")
        expect(visitor.locator(".fr-alert", has_text="modération")).to_have_count(0)
        expect(visitor.get_by_role("link", name="Modifier")).to_have_count(0)
        facts = visitor.locator("dl.codegouv-facts")
        expect(facts).to_contain_text("Ministère de l’Intérieur")
        expect(facts.get_by_role("link", name="qgis/QGIS")).to_be_visible()
        screenshot(visitor, "public")
        html = visitor.content()
        assert AGENT_EMAIL not in html
        assert "camille.martin" not in html.lower()
        # The agent chose not to show their name: only their public body is credited.
        assert "Camille" not in visitor.locator("main").inner_text()
    finally:
        visitor_context.close()


def test_a_person_who_is_not_a_public_agent_is_told_why_they_cannot_declare(
    page, live_server, url, django_user_model, screenshot
):
    django_user_model.objects.create_user(email="someone@example.com", password=PASSWORD)
    log_in(page, live_server.url, "someone@example.com", next_path="/compte/")
    expect(page).to_have_url(url("/compte/"))
    expect(page.locator("main")).to_contain_text(
        "L’adresse someone@example.com n’est pas reconnue comme celle d’un agent public"
    )

    response = page.goto(url("/contributions/declarer/"))
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Réservé aux agents publics")
    main = page.locator("main")
    expect(main).to_contain_text("someone@example.com")
    expect(main).to_contain_text("Seuls les agents des administrations et organismes publics")
    expect(page.get_by_role("button", name="Déclarer")).to_have_count(0)
    text = main.inner_text()
    for domain in ALLOWED_DOMAIN_SAMPLES:
        assert domain not in text
    screenshot(page)
