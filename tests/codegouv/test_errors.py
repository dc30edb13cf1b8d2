import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DSFR_ERROR_MARK = 'class="fr-text--sm fr-mb-3w"'


def assert_dsfr_error_page(response, status, title, error="Erreur"):
    assert response.status_code == status
    html = response.content.decode()
    assert f"{error} {status}" in html
    assert title in html
    assert "fr-header" in html and "fr-footer" in html
    assert "Traceback" not in html and "technical_500" not in html


def test_an_unknown_url_gives_the_dsfr_404(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert_dsfr_error_page(response, 404, "Page non trouvée")


def test_an_unknown_english_url_gives_the_404_in_english(client):
    response = client.get("/en/no-such-page/")

    assert_dsfr_error_page(response, 404, "Page not found", error="Error")
    assert '<html lang="en"' in response.content.decode()


def test_a_bad_host_header_gives_400(client):
    response = client.get("/", HTTP_HOST="evil.example")

    assert_dsfr_error_page(response, 400, "Requête incorrecte")


@pytest.mark.urls("tests.urls")
def test_a_forbidden_page_gives_the_dsfr_403(client):
    assert_dsfr_error_page(client.get("/test/forbidden/"), 403, "Accès refusé")


def test_a_form_without_its_csrf_token_gives_the_dsfr_403():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())

    response = client.post("/compte/deconnexion/")

    assert_dsfr_error_page(response, 403, "Accès refusé")


@pytest.mark.urls("tests.urls")
def test_a_crash_gives_the_dsfr_500_and_never_a_debug_page():
    client = Client(raise_request_exception=False)

    response = client.get("/test/crash/")

    assert_dsfr_error_page(response, 500, "Erreur inattendue")
