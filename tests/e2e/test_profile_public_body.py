"""A new public agent finds their public body from their profile, with JavaScript off and on:
a search sent to the server, the bodies found as radio buttons, then "Enregistrer". The page
with its results passes axe without any violation."""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PASSWORD, log_in
from tests.factories import PublicBodyFactory

AGENT_EMAIL = "camille.martin@culture.gouv.fr"
AXE = Axe()


@pytest.fixture
def bodies(transactional_db):
    ministry = PublicBodyFactory(name="Ministère de la Culture", acronym="MC", is_ministry=True)
    return [
        ministry,
        PublicBodyFactory(name="Centre des monuments nationaux", acronym="CMN", ministry=ministry),
        PublicBodyFactory(
            name="Bibliothèque nationale de France", acronym="BnF", ministry=ministry
        ),
        PublicBodyFactory(name="Musée national de la Marine", ministry=ministry),
        PublicBodyFactory(name="", acronym="NATX"),  # nobody named it: never offered
    ]


@pytest.fixture
def agent(django_user_model, transactional_db):
    return django_user_model.objects.create_user(email=AGENT_EMAIL, password=PASSWORD)


def violations(page) -> list[dict]:
    """Every axe violation on the page, whatever its impact."""
    results = AXE.run(page, options={"resultTypes": ["violations"]}).response
    return [
        {"id": v["id"], "impact": v["impact"], "targets": [n["target"] for n in v["nodes"]]}
        for v in results["violations"]
    ]


def violations_without_scripts(browser, page) -> list[dict]:
    """axe on what a page without JavaScript shows (axe itself is a script: it cannot run
    there): the same HTML, served again to a page that runs none of the site's scripts."""
    html = page.content()
    address = page.url.split("#")[0]
    context = browser.new_context(locale="fr-FR", viewport=DESKTOP, service_workers="block")
    try:
        audited = context.new_page()
        audited.route("**/*.js", lambda route: route.abort())
        audited.route(
            address,
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=html
            ),
        )
        audited.goto(address)
        expect(audited.get_by_role("group", name="Choisissez votre organisme")).to_be_visible()
        return violations(audited)
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_an_agent_finds_picks_and_saves_their_public_body(
    browser, live_server, url, bodies, agent, screenshot, javascript
):
    context = browser.new_context(
        locale="fr-FR", viewport=DESKTOP, service_workers="block", java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, live_server.url, AGENT_EMAIL, next_path="/compte/modifier/")
        expect(page).to_have_url(url("/compte/modifier/"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Modifier mon profil")
        expect(page.locator("main")).to_contain_text("Organisme actuel : aucun.")
        page.get_by_label("Prénom").fill("Camille")

        # Enter in the search field sends the search (the form's first button).
        search = page.get_by_label("Votre organisme public")
        search.fill("nationa")
        search.press("Enter")
        expect(page).to_have_url(url("/compte/modifier/#choix-organisme"))
        choices = page.get_by_role("group", name="Choisissez votre organisme")
        expect(choices).to_contain_text("3 organismes trouvés pour « nationa ».")
        expect(choices.get_by_role("radio")).to_have_count(4)  # and "not in the list"
        expect(choices).not_to_contain_text("NATX")
        expect(page.get_by_label("Prénom")).to_have_value("Camille")  # typed values kept
        expect(search).to_have_value("nationa")

        # The search button itself, with another search.
        search.fill("monuments")
        page.get_by_role("button", name="Rechercher").click()
        expect(choices).to_contain_text("1 organisme trouvé pour « monuments ».")
        # DSFR draws its own radio buttons: a person clicks the label.
        choices.get_by_text("Centre des monuments nationaux (CMN)").click()
        expect(choices.get_by_label("Centre des monuments nationaux (CMN)")).to_be_checked()
        expect(choices).to_contain_text("Ministère : Ministère de la Culture")
        shot = screenshot(page, "results")

        found = violations(page) if javascript else violations_without_scripts(browser, page)
        assert found == [], json.dumps(found, ensure_ascii=False, indent=1)

        page.get_by_role("button", name="Enregistrer", exact=True).click()
        expect(page).to_have_url(url("/compte/"))
        expect(page.locator(".fr-alert")).to_contain_text("Votre profil est enregistré.")
        expect(page.locator("dl.codegouv-facts")).to_contain_text("Centre des monuments nationaux")
        assert shot.exists()
    finally:
        context.close()
    agent.refresh_from_db()
    assert (agent.first_name, agent.public_body) == ("Camille", bodies[1])
