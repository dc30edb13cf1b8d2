"""axe-core audit of every page template and form, in French at desktop and mobile widths
and in English at desktop width (docs/accessibility.md says why not English at mobile width):
no "serious" or "critical" violation is allowed.

Public pages are audited as an anonymous visitor; the agents' pages and forms as a logged-in
public agent (or, for the 403 page, as a logged-in person who is not one), some of the forms
also once sent empty, with their error messages shown.

Lower-impact violations are fixed or listed in docs/accessibility.md; each run writes every
violation found to <screenshots dir>/axe/<test id>.json for the record.
"""

import json
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from editorial.models import GuidePage
from tests.e2e.conftest import DESKTOP, MOBILE, session_context
from tests.factories import (
    ContributionFactory,
    DeclarationFactory,
    InstanceFactory,
    PublicBodyFactory,
    SoftwareFactory,
    UnpublishedCodeFactory,
    UserFactory,
)

PAGES = {
    "home": "/",
    "search": "/recherche/?q=libreoffice",
    "search-empty": "/recherche/",
    "repositories": "/depots/",
    "repositories-no-result": "/depots/?q=introuvable-zzz",
    "repositories-filtered": "/depots/?q=carte&language=JavaScript&license=MIT",
    "repository": "/depots/github.com/ignf/carte-interactive/",
    "awesome": "/depots/awesome/",
    "score-method": "/depots/score/",
    "owners": "/organisations/",
    "owner": "/organisations/github.com/ignf/",
    "statistics": "/statistiques/",
    "sill": "/sill/",
    "sill-software": "/sill/libreoffice/",
    "data": "/donnees/",
    "data-dictionary": "/donnees/dictionnaire/",
    "guides": "/guides/",
    "guide": "/guides/publier-son-code/",
    "accessibility": "/accessibilite/",
    "legal": "/mentions-legales/",
    "privacy": "/donnees-personnelles/",
    "sitemap": "/plan-du-site/",
    "login": "/compte/connexion/",
    "not-found": "/cette-page-n-existe-pas/",
    # {placeholders} name rows of the `declarations` fixture.
    "contributions": "/contributions/",
    "contribution": "/contributions/{contribution}/",
    "contribution-project": "/contributions/projets/{project}/",
    "contribution-public-body": "/contributions/organismes/{body}/",
    "ministries": "/ministeres/",
    "ministry": "/ministeres/{body}/",
    "public-body": "/organismes/{prefecture}/",
    "repositories-by-ministry": "/depots/?ministry={body}",
}
# Pages behind login: {name: (path, who, send the form empty first)}. "agent" is a public agent
# with a public body and a few declarations of each kind; "outsider" is logged in with an
# address that is not a public agent's (the 403 page).
LOGGED_IN_PAGES = {
    "account": ("/compte/", "agent", False),
    "account-edit": ("/compte/modifier/", "agent", False),
    "account-delete": ("/compte/supprimer/", "agent", False),
    "contribution-declare": ("/contributions/declarer/", "agent", False),
    "contribution-declare-errors": ("/contributions/declarer/", "agent", True),
    "contribution-edit": ("/contributions/{own_contribution}/modifier/", "agent", False),
    "sill-declare": ("/sill/libreoffice/declarer/utilisateur/", "agent", False),
    "sill-declare-errors": ("/sill/libreoffice/declarer/utilisateur/", "agent", True),
    "sill-instance-add": ("/sill/libreoffice/instances/ajouter/", "agent", False),
    "sill-instance-add-errors": ("/sill/libreoffice/instances/ajouter/", "agent", True),
    "sill-propose": ("/sill/proposer/", "agent", False),
    "sill-propose-errors": ("/sill/proposer/", "agent", True),
    "sill-software-agent": ("/sill/libreoffice/", "agent", False),
    "unpublished": ("/depots/a-publier/", "agent", False),
    "unpublished-declare": ("/depots/a-publier/declarer/", "agent", False),
    "unpublished-declare-errors": ("/depots/a-publier/declarer/", "agent", True),
    "not-public-agent": ("/contributions/declarer/", "outsider", False),
}
LANGUAGES = {"fr": "", "en": "/en"}
WIDTHS = {"desktop": DESKTOP, "mobile": MOBILE}
COMBINATIONS = [("fr", "desktop"), ("fr", "mobile"), ("en", "desktop")]
BLOCKING = {"serious", "critical"}

# Documented exceptions (docs/accessibility.md): {rule id: CSS selectors of django-dsfr markup
# we cannot change}. Only these nodes are ignored, and only for that rule.
EXCEPTIONS: dict[str, set[str]] = {}

AXE = Axe()


@pytest.fixture
def guide(transactional_db):
    return GuidePage.objects.create(
        title="Publier son code source",
        slug="publier-son-code",
        summary="Les étapes pour ouvrir un code source public.",
        body="## Avant de publier\n\nChoisissez une licence.\n\n"
        "| Licence | Type |\n| --- | --- |\n| MIT | permissive |\n| GPL-3.0 | copyleft |\n",
        status=GuidePage.Status.PUBLISHED,
        placement=GuidePage.Placement.FOOTER,
    )


@pytest.fixture
def declarations(transactional_db, sill_software):
    """What agents declared: published rows for the public pages, and an agent's own rows
    of every kind, some pending, for their account page. Returns the users and path ids."""
    libreoffice, onlyoffice, gimp = sill_software
    body = PublicBodyFactory(name="Ministère de l’Intérieur", is_ministry=True)
    body.ministry = body
    body.save()
    prefecture = PublicBodyFactory(
        name="Préfecture du Rhône", acronym="PREF69", parent=body, ministry=body
    )
    agent = UserFactory(
        email="camille.martin@interieur.gouv.fr",
        first_name="Camille",
        last_name="Martin",
        public_body=body,
    )
    colleague = UserFactory(public_body=body, show_name=True, trusted=True)
    outsider = UserFactory(outsider=True)
    published = ContributionFactory(
        author=colleague,
        public_body=body,
        project_name="QGIS",
        project_url="https://github.com/qgis/QGIS",
        kind="translation",
        evidence_urls=[
            "https://github.com/qgis/QGIS/pull/51234",
            "https://github.com/qgis/QGIS/pull/51301",
        ],
        description="Traduction de **l’interface** :\n\n- impression\n- [aide](https://docs.qgis.org/)",
    )
    ContributionFactory(
        author=agent,
        public_body=body,
        project_name="QGIS",
        project_url="https://github.com/qgis/QGIS.git",
        kind="code",
    )
    own = ContributionFactory(author=agent, public_body=body, project_name="GDAL", pending=True)
    DeclarationFactory(user=colleague, public_body=body, software=libreoffice, referent=True)
    DeclarationFactory(user=agent, public_body=body, software=gimp, pending=True)
    InstanceFactory(user=agent, public_body=body, software=onlyoffice, pending=True)
    SoftwareFactory(name="Zim", slug="zim", submitted_by=agent, proposed=True)
    UnpublishedCodeFactory(author=colleague, public_body=body, name="Gestion des congés")
    UnpublishedCodeFactory(author=agent, public_body=body, name="Registre des actes", pending=True)
    return {
        "users": {"agent": agent, "outsider": outsider},
        "ids": {
            "contribution": published.pk,
            "own_contribution": own.pk,
            "project": "github.com/qgis/qgis",
            "body": body.slug,
            "prefecture": prefecture.slug,
        },
    }


def kept(violation):
    """The violation's nodes that are not documented exceptions."""
    allowed = EXCEPTIONS.get(violation["id"], set())
    return [node for node in violation["nodes"] if not allowed & set(node["target"])]


def describe(violations):
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(violation['nodes'])} nodes] {'; '.join(targets)}"
        )
    return "\n".join(lines)


def audit(page, test_name):
    """Run axe on the page, record every violation, fail on the blocking ones."""
    page.wait_for_load_state("load")
    results = AXE.run(page, options={"resultTypes": ["violations"]}).response
    violations = []
    for violation in results["violations"]:
        nodes = kept(violation)
        if nodes:
            violations.append({**violation, "nodes": nodes})
    directory = Path(os.environ.get("E2E_SCREENSHOTS") or Path.cwd() / "var" / "e2e-screenshots")
    (directory / "axe").mkdir(parents=True, exist_ok=True)
    summary = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]],
        }
        for v in violations
    ]
    (directory / "axe" / f"{test_name}.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1)
    )
    return [v for v in violations if v["impact"] in BLOCKING]


# Each test audits its page in every combination: the data is set up once per page, not
# once per combination (a third of the time these audits took).
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(
    browser, live_server, catalogue, sill_software, guide, declarations, name
):
    path = PAGES[name].format(**declarations["ids"])
    failures = []
    for language, width in COMBINATIONS:
        context = browser.new_context(locale="fr-FR", viewport=WIDTHS[width])
        try:
            page = context.new_page()
            response = page.goto(f"{live_server.url}{LANGUAGES[language]}{path}")
            assert response.status == (404 if name == "not-found" else 200), (language, width)
            if blocking := audit(page, f"{name}-{language}-{width}"):
                failures.append(f"{path} ({language}, {width}):\n{describe(blocking)}")
        finally:
            context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", LOGGED_IN_PAGES)
def test_no_serious_accessibility_violation_logged_in(
    browser, live_server, catalogue, sill_software, declarations, name
):
    path, who, send_empty = LOGGED_IN_PAGES[name]
    path = path.format(**declarations["ids"])
    user = declarations["users"][who]
    failures = []
    for language, width in COMBINATIONS:
        context = session_context(browser, live_server.url, user, WIDTHS[width])
        try:
            page = context.new_page()
            response = page.goto(f"{live_server.url}{LANGUAGES[language]}{path}")
            assert response.status == (403 if who == "outsider" else 200), (language, width)
            assert page.url.endswith(path), f"{path}: redirected to {page.url}"
            if send_empty:
                form = page.locator("main form[method=post]")
                form.locator("input:not([type=hidden]), textarea").evaluate_all(
                    "fields => fields.forEach(field => { if (field.type === 'checkbox' || "
                    "field.type === 'radio') field.checked = false; else field.value = ''; })"
                )
                with page.expect_navigation():
                    form.locator("button[type=submit]").first.click()
                errors = page.locator("main .fr-error-text, main .fr-message--error")
                assert errors.count() > 0, f"{path}: no error message after sending it empty"
            if blocking := audit(page, f"{name}-{language}-{width}"):
                failures.append(f"{path} ({language}, {width}, {who}):\n{describe(blocking)}")
        finally:
            context.close()
    assert not failures, "\n".join(failures)
