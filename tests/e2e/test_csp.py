"""Under the Content-Security-Policy, every page, the admin, the DSFR's theme switch and the
ProConnect round trip work, and the browser reports no violation (docs/adr/0009).

The browser records violations two ways: the `securitypolicyviolation` events of each
document (an init script, which the page's own policy does not apply to, keeps them on
`window`) and the console, where Chromium explains every refusal.
"""

import pytest
from playwright.sync_api import expect

from editorial.models import GuidePage, Highlight
from tests.e2e.conftest import new_context, session_context
from tests.factories import PublicBodyFactory, UserFactory
from tests.fakeoidc import FakeOIDC

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.effectiveDirective} refused ${event.blockedURI} (${where})`);
});
"""
POLICY_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")
FONT_IN_USE = "document.fonts.ready.then(() => document.fonts.check('1rem Marianne'))"
# The highlight's image: allowed by img-src https:, then unreachable (no network in tests).
OUTSIDE_IMAGE = "https://images.example.invalid/osm.png"
# The admin's pages link no icon: the browser asks for /favicon.ico, which is a 404.
ADMIN_FAVICON = "/favicon.ico"


class Watched:
    """A page whose CSP violations, console errors and uncaught exceptions are collected."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.exceptions: list[str] = []
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.exceptions.append(str(error)))

    def _on_console(self, message):
        text = message.text
        if message.type == "error" or any(word in text for word in POLICY_WORDS):
            self.console.append(f"{message.type}: {text} ({message.location.get('url')})")

    def visit(self, url):
        response = self.page.goto(url)
        assert response.status == 200, url
        policy = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        self.page.wait_for_load_state("load")
        # DSFR's script ran (it marks <html>) and its Marianne font is in use.
        expect(self.page.locator("html")).to_have_attribute("data-fr-js", "true")
        assert self.page.evaluate(FONT_IN_USE)
        return response

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")

    def assert_clean(self, where, *, unreachable=()):
        console = [line for line in self.console if not any(url in line for url in unreachable)]
        assert self.violations() == [], where
        assert console == [], where
        assert self.exceptions == [], where


@pytest.fixture
def guide(transactional_db):
    """A guide with a table aligned by Markdown (once a style attribute, now DSFR classes)."""
    return GuidePage.objects.create(
        title="Choisir une licence",
        slug="licences",
        body="## Les licences\n\n"
        "| Licence | Type | Projets |\n|:--|:-:|--:|\n| MIT | permissive | 12 |\n",
        status=GuidePage.Status.PUBLISHED,
    )


@pytest.fixture
def highlight(transactional_db):
    return Highlight.objects.create(
        title="Les contributions de l’État à OpenStreetMap",
        url="https://www.openstreetmap.org/",
        image_url=OUTSIDE_IMAGE,
    )


PUBLIC_PAGES = [
    "/",
    "/depots/",
    "/depots/github.com/ignf/carte-interactive/",
    "/organisations/",
    "/organisations/github.com/ignf/",
    "/sill/",
    "/sill/libreoffice/",
    "/recherche/?q=libreoffice",
    "/contributions/",
    "/statistiques/",
    "/donnees/",
    "/compte/connexion/",
    "/guides/licences/",
    "/en/",
    "/en/depots/",
]


def test_every_public_page_works_under_the_policy(
    page, url, catalogue, sill_software, guide, highlight
):
    watched = Watched(page)

    for path in PUBLIC_PAGES:
        watched.visit(url(path))
        watched.assert_clean(path, unreachable=[OUTSIDE_IMAGE])

    # The guide's aligned column is aligned by a DSFR class, with no style attribute.
    watched.visit(url("/guides/licences/"))
    cell = page.get_by_role("cell", name="permissive")
    assert cell.evaluate("cell => getComputedStyle(cell).textAlign") == "center"
    assert page.locator("main [style]").count() == 0


def test_the_dsfr_theme_switch_works_under_the_policy(page, url, catalogue, screenshot):
    watched = Watched(page)
    watched.visit(url("/depots/"))
    html = page.locator("html")
    expect(html).to_have_attribute("data-fr-theme", "light")

    page.get_by_role("banner").get_by_role("button", name="Paramètres d’affichage").click()
    dialog = page.locator("#fr-theme-modal")
    expect(dialog).to_be_visible()
    # The artwork is fetched and injected as inline SVG by the DSFR's script.
    expect(dialog.locator(".fr-radio-rich__img svg").first).to_be_attached()
    dialog.locator("label[for='fr-radios-theme-dark']").click()

    expect(html).to_have_attribute("data-fr-scheme", "dark")
    expect(html).to_have_attribute("data-fr-theme", "dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    # The choice is kept on the next page.
    watched.visit(url("/statistiques/"))
    expect(html).to_have_attribute("data-fr-theme", "dark")
    screenshot(page)
    watched.assert_clean("theme switch")


def test_the_admin_works_under_the_policy(browser, live_server, catalogue, highlight):
    staff = UserFactory(staff=True, is_superuser=True)
    repository = catalogue[0]
    context = session_context(browser, live_server.url, staff)
    page = context.new_page()
    watched = Watched(page)

    try:
        for path in (
            "/admin/",
            "/admin/moderation/",
            "/admin/catalog/repository/",
            "/admin/catalog/repository/?q=carte",
            f"/admin/catalog/repository/{repository.pk}/change/",
            "/admin/editorial/highlight/",
        ):
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            assert "script-src 'self'" in response.header_value("content-security-policy")
            watched.assert_clean(path, unreachable=[ADMIN_FAVICON])

        # The harvested payload is laid out by the admin stylesheet, not a style attribute.
        page.goto(f"{live_server.url}/admin/catalog/repository/{repository.pk}/change/")
        raw = page.locator("pre.codegouv-admin-json")
        assert raw.evaluate("pre => getComputedStyle(pre).whiteSpace") == "pre-wrap"

        # A change form with the admin's date widgets, which its scripts build.
        page.goto(f"{live_server.url}/admin/editorial/highlight/{highlight.pk}/change/")
        page.locator(".datetimeshortcuts a").first.click()  # "Aujourd’hui"
        page.locator("#id_title").fill("OpenStreetMap et l’État")
        page.locator("input[name=_save]").click()
        expect(page.locator(".messagelist .success")).to_be_visible()
        assert Highlight.objects.get(pk=highlight.pk).title == "OpenStreetMap et l’État"
        watched.assert_clean("highlight change form", unreachable=[ADMIN_FAVICON, OUTSIDE_IMAGE])
    finally:
        context.close()


AGENT_FORMS = [
    "/compte/",
    "/compte/modifier/",
    "/contributions/declarer/",
    "/sill/libreoffice/declarer/utilisateur/",
    "/sill/libreoffice/instances/ajouter/",
    "/sill/proposer/",
    "/depots/a-publier/declarer/",
]


def test_an_agents_forms_work_under_the_policy(browser, live_server, sill_software):
    agent = UserFactory(public_body=PublicBodyFactory(name="Ministère de l’Intérieur"))
    context = session_context(browser, live_server.url, agent)
    page = context.new_page()
    watched = Watched(page)
    try:
        for path in AGENT_FORMS:
            watched.visit(f"{live_server.url}{path}")
            watched.assert_clean(path)

        # Sent empty: the page comes back with the DSFR's error states, still clean.
        with page.expect_navigation():
            page.locator("main form[method=post] button[type=submit]").first.click()
        assert page.locator("main .fr-error-text, main .fr-message--error").count() > 0
        watched.assert_clean("the code-to-publish form with errors")
    finally:
        context.close()


@pytest.fixture
def proconnect(settings):
    """The fake ProConnect, with its origin in form-action as settings.py puts it there."""
    with FakeOIDC() as fake:
        for name, value in fake.settings().items():
            setattr(settings, name, value)
        origin = f"http://{fake.host}:{fake.port}"
        directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
        settings.CONTENT_SECURITY_POLICY = {
            "DIRECTIVES": {**directives, "form-action": ["'self'", origin]}
        }
        yield fake


def log_in_with_proconnect(page, base_url):
    page.goto(f"{base_url}/compte/connexion/")
    page.get_by_role("link", name="S’identifier avec ProConnect").click()
    expect(page.get_by_role("link", name="Mon compte")).to_be_visible()


def log_out(page):
    """The logout form posts to the portal, which sends the browser on to ProConnect."""
    page.get_by_role("button", name="Se déconnecter").click()


def test_logging_in_and_out_with_proconnect_works_under_the_policy(
    browser, live_server, proconnect
):
    context = new_context(browser)
    page = context.new_page()
    watched = Watched(page)
    try:
        log_in_with_proconnect(page, live_server.url)
        log_out(page)

        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
        assert proconnect.requests_to("session/end"), "the logout did not reach ProConnect"
        watched.assert_clean("ProConnect login and logout")
    finally:
        context.close()


def test_without_proconnect_in_form_action_the_browser_would_block_the_logout(
    browser, live_server, proconnect, settings
):
    """Why settings.py adds ProConnect's origin: the browser checks the logout's redirect."""
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "form-action": ["'self'"]}
    }
    context = new_context(browser)
    page = context.new_page()
    try:
        log_in_with_proconnect(page, live_server.url)
        with page.expect_console_message(lambda message: "form-action" in message.text):
            log_out(page)

        assert proconnect.requests_to("session/end") == []
    finally:
        context.close()
