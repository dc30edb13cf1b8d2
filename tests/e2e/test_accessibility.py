"""axe-core audit of every public page template and form, in French and English, at desktop
and mobile widths: no "serious" or "critical" violation is allowed.

Lower-impact violations are fixed or listed in docs/accessibility.md; each run writes every
violation found to <screenshots dir>/axe/<test id>.json for the record.
"""

import json
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from codegouv.models import GuidePage
from tests.e2e.conftest import DESKTOP, MOBILE

PAGES = {
    "home": "/",
    "repositories": "/depots/",
    "repositories-no-result": "/depots/?q=introuvable-zzz",
    "repositories-filtered": "/depots/?q=carte&language=JavaScript&license=MIT",
    "repository": "/depots/github.com/ignf/carte-interactive/",
    "awesome": "/depots/awesome/",
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
}
LANGUAGES = {"fr": "", "en": "/en"}
WIDTHS = {"desktop": DESKTOP, "mobile": MOBILE}
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


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(
    request, browser, live_server, catalogue, sill_software, guide, name, language, width
):
    context = browser.new_context(locale="fr-FR", viewport=WIDTHS[width])
    try:
        page = context.new_page()
        response = page.goto(f"{live_server.url}{LANGUAGES[language]}{PAGES[name]}")
        assert response.status == (404 if name == "not-found" else 200)
        page.wait_for_load_state("load")
        results = AXE.run(page, options={"resultTypes": ["violations"]}).response
    finally:
        context.close()

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
    (directory / "axe" / f"{name}-{language}-{width}.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1)
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{PAGES[name]} ({language}, {width}):\n{describe(blocking)}"
