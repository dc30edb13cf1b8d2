"""Browser tests: Playwright (sync API) driving a real headless Chromium against live_server.

Without Chromium every test here is skipped with one line saying how to get it; with
E2E_REQUIRED=1 (CI) a missing browser fails the run instead.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.factories import ForgeFactory, OwnerFactory, PublicBodyFactory, RepositoryFactory

MISSING = "browser tests need Chromium: apt-get install chromium (or set CHROMIUM_PATH)"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
E2E_DIR = Path(__file__).parent


def chromium_path():
    """The Chromium to drive, or None: CHROMIUM_PATH wins when set (even if wrong)."""
    if "CHROMIUM_PATH" in os.environ:
        candidate = os.environ["CHROMIUM_PATH"]
        return candidate if os.path.isfile(candidate) and os.access(candidate, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def e2e_required():
    return os.environ.get("E2E_REQUIRED", "") == "1"


def pytest_report_header(config):
    path = chromium_path()
    if path:
        return f"e2e: Chromium at {path}"
    return "e2e: skipped (no Chromium: apt-get install chromium)"


def pytest_collection_modifyitems(config, items):
    if chromium_path() or e2e_required():
        return
    skip = pytest.mark.skip(reason=MISSING)
    for item in items:
        if Path(str(item.fspath)).is_relative_to(E2E_DIR):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """One Chromium for the run, started after the test database exists (Playwright's loop
    would make Django refuse to create it) and closed before it is destroyed."""
    path = chromium_path()
    if not path:
        pytest.fail(f"E2E_REQUIRED=1: {MISSING}", pytrace=False)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on the main thread, which Django takes for
    # an async context: the tests' own ORM calls (data set-up, flush) are safe, so allow them
    # while the browser runs, and only then.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def static_files_from_finders(settings):
    """live_server serves static files from the finders, under their plain names: the
    manifest storage's hashed names (used when collectstatic has run) would all be 404."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _new_context(browser, viewport):
    context = browser.new_context(
        locale="fr-FR", viewport=viewport, accept_downloads=True, service_workers="block"
    )
    context.set_default_timeout(10_000)
    return context


def _new_page(browser, viewport):
    context = _new_context(browser, viewport)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser, live_server):
    context, page = _new_page(browser, MOBILE)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """screenshot(page) saves a full-page PNG named after the test (and an optional suffix)."""
    directory = Path(os.environ.get("E2E_SCREENSHOTS") or Path.cwd() / "var" / "e2e-screenshots")
    directory.mkdir(parents=True, exist_ok=True)

    def take(page, suffix=""):
        name = re.sub(r"[^\w.-]+", "_", request.node.name + (f"-{suffix}" if suffix else ""))
        path = directory / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def url(live_server):
    return lambda path: f"{live_server.url}{path}"


@pytest.fixture
def catalogue(transactional_db):
    """A small realistic catalogue: two forges, three organisations, a dozen repositories."""
    from django.utils import timezone

    from catalog.scoring import score_fields
    from catalog.search import update_search_vectors
    from catalog.services.counts import refresh_owner_counts

    now = timezone.now()
    body = PublicBodyFactory(name="Institut national de l’information géographique")
    github = ForgeFactory(host="github.com")
    gitlab = ForgeFactory(gitlab=True)
    ign = OwnerFactory(forge=github, path="ignf", name="IGN France", public_body=body)
    dinum = OwnerFactory(forge=github, path="etalab", name="Etalab")
    inria = OwnerFactory(forge=gitlab, path="inria", name="Inria")
    rows = [
        (ign, "carte-interactive", "Carte interactive des territoires", "JavaScript", "MIT", 120),
        (ign, "geoportail-carte", "Visualiseur de carte du Géoportail", "JavaScript", "MIT", 40),
        (ign, "cartes-tuiles", "Serveur de tuiles pour la carte de base", "Python", "MIT", 75),
        (ign, "carte-scolaire", "Carte scolaire des collèges", "JavaScript", "GPL-3.0-only", 12),
        (dinum, "adresse-carte", "Carte de la base adresse nationale", "Python", "MIT", 30),
        (dinum, "api-entreprise", "API des données des entreprises", "Ruby", "AGPL-3.0-only", 60),
        (dinum, "code-gouv", "Le portail des codes sources publics", "Python", "MIT", 90),
        (inria, "coq", "Un assistant de preuve formelle", "OCaml", "LGPL-2.1-only", 300),
        (inria, "scikit-carte", "Apprentissage sur carte auto-organisée", "Python", "", 8),
        (inria, "pharo", "Un environnement Smalltalk", "Smalltalk", "MIT", 15),
    ]

    def scored(owner, description, spdx, stars):
        # Every check state on the pages: GitLab's root files never listed (not checked),
        # GitHub's listed with a README but no CONTRIBUTING nor publiccode.yml (absent).
        values = {
            "license_spdx": spdx or "NOASSERTION",
            "license_reported": spdx,
            "root_files": None if owner is inria else ["LICENSE", "README"],
            "publiccode_valid": False,
            "description": description,
            "pushed_at": now,
            "updated_at": None,
            "is_archived": False,
            "is_fork": False,
            "stars": stars,
            "forks": 0,
        }
        return {**values, **score_fields(values, now, license_listed=owner is not inria)}

    repositories = [
        RepositoryFactory(
            owner=owner,
            name=name,
            language=language,
            topics=["cartographie"] if "arte" in name else [],
            created_at=now,
            **scored(owner, description, spdx, stars),
        )
        for owner, name, description, language, spdx, stars in rows
    ]
    refresh_owner_counts()
    update_search_vectors()  # search reads the stored vector
    return repositories


@pytest.fixture
def sill_software(transactional_db):
    """Three SILL entries, enough for the listing, its facets and a detail page."""
    from sill.importer import update_search_vectors as update_sill_vectors
    from sill.models import Software

    software = [
        Software.objects.create(
            name=name,
            slug=slug,
            function=function,
            description_fr=function,
            category=category,
            license=spdx,
            status=status,
            platforms=["Windows", "Linux"],
            years=[2021, 2022],
        )
        for name, slug, function, category, spdx, status in [
            ("LibreOffice", "libreoffice", "Suite bureautique", "Bureautique", "MPL-2.0",
             "recommended"),
            ("OnlyOffice", "onlyoffice", "Suite bureautique en ligne", "Bureautique",
             "AGPL-3.0-only", "observation"),
            ("GIMP", "gimp", "Retouche d’images", "Graphisme", "GPL-3.0-only", "recommended"),
        ]
    ]  # fmt: skip
    update_sill_vectors()
    return software


@pytest.fixture(autouse=True)
def fresh_content_types():
    """Browser tests empty the tables between tests and content types come back with new
    ids: drop Django's cache of them so that admin log entries point at real rows."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


PASSWORD = "correct horse battery staple"


def log_in(page, base_url, email, password=PASSWORD, next_path=""):
    """Log in through the portal's form like a person: click the field, type, Tab, Enter."""
    query = f"?next={next_path}" if next_path else ""
    page.goto(f"{base_url}/compte/connexion/{query}")
    fill_login_form(page, email, password)


def fill_login_form(page, email, password=PASSWORD):
    """On the login page: type the address and the password, send with Enter."""
    page.get_by_role("textbox", name="Adresse électronique").click()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")


def new_context(browser, viewport=DESKTOP):
    """A fresh browser context: another person, sharing no cookie with the others."""
    return _new_context(browser, viewport)


def session_context(browser, base_url, user, viewport=DESKTOP):
    """A browser context already logged in as `user`: Django's test client opens the session
    (force_login) and the browser gets its cookie, skipping the login form."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = _new_context(browser, viewport)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    return context
