"""Every page carries the Content-Security-Policy and the Permissions-Policy (docs/adr/0009)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import OwnerFactory, RepositoryFactory, SoftwareFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "https:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
DISABLED_FEATURES = [
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "browsing-topics",
    "interest-cohort",
]


def directives(header: str) -> dict[str, list[str]]:
    """ "a b c; d e" as {"a": ["b", "c"], "d": ["e"]}."""
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def permissions(header: str) -> dict[str, str]:
    """ "camera=(), usb=()" as {"camera": "()", "usb": "()"}."""
    return dict(item.strip().split("=", 1) for item in header.split(","))


@pytest.fixture
def pages():
    RepositoryFactory(owner=OwnerFactory(path="etalab"), name="code-gouv")
    SoftwareFactory(slug="libreoffice")
    return [
        "/",
        "/en/",
        "/depots/",
        "/depots/github.com/etalab/code-gouv/",
        "/organisations/",
        "/organisations/github.com/etalab/",
        "/sill/",
        "/sill/libreoffice/",
        "/contributions/",
        "/statistiques/",
        "/donnees/",
        "/compte/connexion/",
        "/une-page-qui-n-existe-pas/",
    ]


def test_every_page_has_the_content_security_policy_and_the_permissions_policy(client, pages):
    for path in pages:
        response = client.get(path)

        assert response.status_code in {200, 404}, path
        assert response["Content-Type"].startswith("text/html"), path
        assert directives(response["Content-Security-Policy"]) == EXPECTED_POLICY, path
        policy = permissions(response["Permissions-Policy"])
        for feature in DISABLED_FEATURES:
            assert policy[feature] == "()", (path, feature)
        # The headers Django sets itself, from settings.py.
        assert response["Referrer-Policy"] == "same-origin", path
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", path
        assert response["X-Frame-Options"] == "DENY", path


def test_nothing_inline_is_allowed(client):
    header = client.get("/")["Content-Security-Policy"]

    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "unsafe-hashes" not in header


def test_the_admin_has_them_too(client):
    client.force_login(UserFactory(staff=True, is_superuser=True))
    repository = RepositoryFactory()

    for path in (
        "/admin/",
        "/admin/catalog/repository/",
        f"/admin/catalog/repository/{repository.pk}/change/",
        "/admin/editorial/guidepage/add/",
    ):
        response = client.get(path)

        assert response.status_code == 200, path
        assert directives(response["Content-Security-Policy"]) == EXPECTED_POLICY, path
        assert "camera=()" in response["Permissions-Policy"], path


# --- ProConnect in form-action --------------------------------------------------------------

PRINT_POLICY = (
    "import django; django.setup(); from csp.utils import build_policy; print(build_policy())"
)


def policy_with(**environ: str) -> dict[str, list[str]]:
    """The Content-Security-Policy built by settings.py in a fresh interpreter."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PROCONNECT_"))
    }
    env.update(DJANGO_DEBUG="true", DJANGO_SETTINGS_MODULE="codegouv.settings", **environ)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_POLICY],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return directives(result.stdout.strip().splitlines()[-1])


PROCONNECT = {
    "PROCONNECT_ISSUER": "https://auth.proconnect.example/api/v2",
    "PROCONNECT_CLIENT_ID": "abc",
    "PROCONNECT_CLIENT_SECRET": "secret",
}


def test_without_proconnect_forms_may_only_post_to_the_portal():
    assert policy_with()["form-action"] == ["'self'"]


def test_proconnects_origin_is_added_to_form_action_when_configured():
    """Logging out posts a form to the portal, which redirects to ProConnect's logout: the
    browser checks that redirect against form-action."""
    assert policy_with(**PROCONNECT)["form-action"] == [
        "'self'",
        "https://auth.proconnect.example",
    ]


def test_every_proconnect_origin_that_a_browser_is_sent_to_is_in_form_action():
    policy = policy_with(
        **PROCONNECT,
        PROCONNECT_AUTHORIZATION_ENDPOINT="https://login.proconnect.example/authorize",
        PROCONNECT_END_SESSION_ENDPOINT="https://logout.proconnect.example:8443/session/end",
        # Reached by the server only, never by a browser.
        PROCONNECT_TOKEN_ENDPOINT="https://tokens.proconnect.example/token",
    )

    assert policy["form-action"] == [
        "'self'",
        "https://login.proconnect.example",
        "https://logout.proconnect.example:8443",
    ]
    assert policy["script-src"] == ["'self'"]
