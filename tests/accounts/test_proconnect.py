"""ProConnect login, driven end to end over real HTTP against a fake provider."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.messages import get_messages
from django.core.management import call_command

from accounts.models import User
from accounts.policy import is_public_agent
from tests.factories import PublicBodyFactory, UserFactory
from tests.fakeoidc import FakeOIDC

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
LOGIN_START = "/compte/proconnect/"


@pytest.fixture
def provider(settings):
    with FakeOIDC() as fake:
        for name, value in fake.settings().items():
            setattr(settings, name, value)
        yield fake


def go_to_provider(client, start=LOGIN_START, **extra):
    """The portal's redirect to ProConnect, then ProConnect's answer (a redirect back)."""
    response = client.get(start, **extra)
    assert response.status_code == 302, response
    authorize = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert authorize.status_code == 302, authorize.text
    return authorize.headers["Location"]


def proconnect_login(client, start=LOGIN_START, **extra):
    callback = go_to_provider(client, start, **extra)
    return client.get(callback, **extra)


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_refused_with(client, response, text):
    assert response.status_code == 302
    assert response["Location"] == "/compte/connexion/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert text in page.content.decode()


# --- The login page ---------------------------------------------------------------------


def test_the_login_page_offers_proconnect_above_the_local_form(client, provider):
    html = client.get("/compte/connexion/?next=/sill/").content.decode()

    assert 'class="fr-connect codegouv-proconnect"' in html
    assert "S’identifier avec" in html and "ProConnect" in html
    assert f'href="{LOGIN_START}?next=/sill/"' in html
    assert html.index("fr-connect") < html.index('name="password"')
    assert "n’est pas configurée" not in html


def test_without_proconnect_the_login_page_says_so_and_its_urls_answer_cleanly(client):
    html = client.get("/compte/connexion/").content.decode()
    assert "La connexion avec ProConnect n’est pas configurée sur ce site." in html
    assert "fr-connect" not in html
    assert 'name="password"' in html

    for url in (LOGIN_START, "/compte/proconnect/retour/?code=x&state=y"):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [("/compte/connexion/", 302)]
        assert "n’est pas configurée" in response.content.decode()


# --- A successful login -----------------------------------------------------------------


def test_an_agent_logs_in_and_is_created_with_names_siret_and_public_body(client, provider):
    body = PublicBodyFactory(name="DINUM", siren="130025265")

    response = proconnect_login(client)

    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert (user.email, user.first_name, user.last_name) == (
        "camille.dupont@numerique.gouv.fr",
        "Camille",
        "Dupont",
    )
    assert user.siret == "13002526500013"
    assert user.public_body == body
    assert not user.has_usable_password()
    assert is_public_agent(user)
    assert "Se déconnecter" in client.get("/").content.decode()


def test_the_request_to_proconnect_uses_pkce_nonce_and_the_eidas1_level(client, provider):
    proconnect_login(client)

    authorize = provider.requests_to("authorize")[0].params
    assert authorize["acr_values"] == "eidas1"
    assert authorize["scope"].split() == ["openid", "email", "given_name", "usual_name", "siret"]
    assert authorize["code_challenge_method"] == "S256"
    assert authorize["nonce"] and authorize["state"]
    assert authorize["redirect_uri"] == "http://testserver/compte/proconnect/retour/"
    token = provider.requests_to("token")[0]
    assert token.status == 200 and len(token.params["code_verifier"]) >= 43
    assert provider.requests_to("userinfo")[0].status == 200


def test_the_person_goes_back_to_the_page_they_came_from(client, provider):
    response = proconnect_login(client, f"{LOGIN_START}?next=/sill/")

    assert response["Location"] == "/sill/"


def test_an_unsafe_next_is_ignored(client, provider):
    response = proconnect_login(client, f"{LOGIN_START}?next=https://evil.example/")

    assert response["Location"] == "/"


def test_an_existing_account_is_found_whatever_the_case_and_updated(client, provider):
    user = UserFactory(email="camille.dupont@numerique.gouv.fr", first_name="Cam", last_name="D")
    provider.login_as(email="Camille.DUPONT@numerique.gouv.fr", given_name="Camille")

    proconnect_login(client)

    assert User.objects.count() == 1
    user.refresh_from_db()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert (user.first_name, user.last_name) == ("Camille", "Dupont")
    assert user.has_usable_password()  # a local password, if any, is left alone


def test_a_public_body_the_agent_chose_is_kept_one_from_the_siret_follows_it(client, provider):
    chosen = PublicBodyFactory(siren="")
    old = PublicBodyFactory(siren="110000015")
    new = PublicBodyFactory(siren="130025265")
    chooser = UserFactory(email="camille.dupont@numerique.gouv.fr", public_body=chosen)
    mover = UserFactory(
        email="dominique@numerique.gouv.fr", public_body=old, siret="11000001500011"
    )

    proconnect_login(client)
    chooser.refresh_from_db()
    assert (chooser.public_body, chooser.siret) == (chosen, "13002526500013")

    provider.login_as(sub="dominique", email="dominique@numerique.gouv.fr")
    client.logout()
    proconnect_login(client)
    mover.refresh_from_db()
    assert (mover.public_body, mover.siret) == (new, "13002526500013")


def test_a_body_the_agent_named_as_not_listed_is_not_replaced_by_the_siret(client, provider):
    PublicBodyFactory(siren="130025265")
    agent = UserFactory(
        email="camille.dupont@numerique.gouv.fr",
        public_body=None,
        public_body_unlisted="Mairie de Trifouilly-les-Oies",
    )

    proconnect_login(client)

    agent.refresh_from_db()
    assert (agent.public_body, agent.public_body_unlisted, agent.siret) == (
        None,
        "Mairie de Trifouilly-les-Oies",
        "13002526500013",
    )


def test_a_siret_shared_by_several_bodies_links_none(client, provider):
    PublicBodyFactory.create_batch(2, siren="130025265")

    proconnect_login(client)

    assert User.objects.get().public_body is None


def test_the_userinfo_may_also_come_as_plain_json(client, provider):
    provider.userinfo_as_json = True

    proconnect_login(client)

    assert "_auth_user_id" in client.session


def test_someone_outside_the_allow_list_logs_in_but_is_not_an_agent(client, provider):
    provider.login_as(email="person@example.com", siret="12345678900012")

    proconnect_login(client)

    user = User.objects.get()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert user.public_body is None
    assert not is_public_agent(user)


def test_an_outside_address_with_the_siret_of_a_known_body_is_an_agent(client, provider):
    PublicBodyFactory(siren="123456789")
    provider.login_as(email="agent@mairie-exemple.fr", siret="12345678900012")

    proconnect_login(client)

    assert is_public_agent(User.objects.get())


# --- Refusals and failures --------------------------------------------------------------


def test_a_forged_state_is_refused(client, provider):
    callback = go_to_provider(client)
    forged = callback.replace("state=", "state=forged")

    response = client.get(forged)

    assert_refused_with(client, response, "Votre demande de connexion a expiré")
    assert provider.requests_to("token") == []


def test_a_callback_replayed_in_another_session_is_refused(client, provider):
    callback = go_to_provider(client)
    client.get(callback)
    assert "_auth_user_id" in client.session

    other = type(client)()
    response = other.get(callback)

    assert response.status_code == 302
    assert "_auth_user_id" not in other.session
    assert "Votre demande de connexion a expiré" in message_texts(response)[0]


def test_a_wrong_nonce_is_refused(client, provider, caplog):
    provider.wrong_nonce = True

    response = proconnect_login(client)

    assert_refused_with(client, response, "La réponse de ProConnect n’a pas pu être vérifiée")
    assert not User.objects.exists()
    assert "nonce" in caplog.text


def test_a_lower_authentication_level_than_asked_is_refused(client, provider, caplog):
    provider.acr = "eidas0"

    response = proconnect_login(client)

    assert_refused_with(client, response, "La réponse de ProConnect n’a pas pu être vérifiée")
    assert not User.objects.exists()
    assert "acr" in caplog.text


def test_an_expired_id_token_is_refused(client, provider):
    provider.id_token_expired = True

    response = proconnect_login(client)

    assert_refused_with(client, response, "La réponse de ProConnect a expiré")


def test_a_token_signed_with_another_key_is_refused(client, provider):
    provider.foreign_signature = True

    response = proconnect_login(client)

    assert_refused_with(client, response, "n’a pas pu être vérifiée")


def test_a_token_issued_for_another_client_is_refused(client, provider):
    provider.wrong_audience = True

    response = proconnect_login(client)

    assert_refused_with(client, response, "n’a pas pu être vérifiée")


def test_a_missing_email_is_refused(client, provider):
    provider.login_as(email=None)

    response = proconnect_login(client)

    assert_refused_with(client, response, "ProConnect n’a pas transmis d’adresse électronique")
    assert not User.objects.exists()


def test_an_unverified_email_is_refused(client, provider):
    provider.login_as(email_verified=False)

    response = proconnect_login(client)

    assert_refused_with(client, response, "n’est pas vérifiée")
    assert not User.objects.exists()


def test_a_deactivated_account_cannot_log_in(client, provider):
    UserFactory(email="camille.dupont@numerique.gouv.fr", is_active=False)

    response = proconnect_login(client)

    assert_refused_with(client, response, "Ce compte est désactivé.")


def test_a_cancelled_login_comes_back_with_a_message(client, provider):
    provider.authorize_error = "access_denied"

    response = proconnect_login(client)

    assert_refused_with(client, response, "La connexion avec ProConnect a été annulée.")


def test_a_provider_error_at_the_token_endpoint_is_explained(client, provider, caplog):
    provider.token_status = 500

    response = proconnect_login(client)

    assert_refused_with(client, response, "ProConnect n’a pas pu vous identifier")
    assert "ProConnect login failed" in caplog.text


def test_an_unreachable_provider_is_explained(client, provider, caplog):
    callback = go_to_provider(client)
    provider.stop()

    response = client.get(callback)

    assert_refused_with(client, response, "ProConnect ne répond pas pour le moment")
    assert "unreachable" in caplog.text


def test_a_failure_comes_back_in_the_language_the_login_started_in(client, provider):
    assert "/en/compte/proconnect/" in client.get("/en/compte/connexion/").content.decode()
    provider.wrong_nonce = True

    response = proconnect_login(client, "/en/compte/proconnect/")

    assert response["Location"] == "/en/compte/connexion/"


def test_failed_proconnect_logins_do_not_lock_the_password_form(client, provider):
    provider.wrong_nonce = True
    for _ in range(6):
        proconnect_login(client)

    response = client.post(
        "/compte/connexion/",
        {"username": UserFactory().email, "password": "correct horse battery staple"},
    )

    assert response.status_code == 302 and "_auth_user_id" in client.session


# --- Logout -----------------------------------------------------------------------------


def test_logout_continues_at_proconnect_with_the_id_token_hint(client, provider):
    proconnect_login(client)

    response = client.post("/compte/deconnexion/")

    assert "_auth_user_id" not in client.session
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        f"{provider.issuer}/session/end"
    )
    params = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert params["id_token_hint"] == provider.id_tokens[-1]
    assert params["state"]
    assert params["post_logout_redirect_uri"] == "http://testserver/compte/proconnect/deconnexion/"

    back = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert back.headers["Location"].startswith(params["post_logout_redirect_uri"])
    assert client.get(back.headers["Location"])["Location"] == "/"


def test_logout_after_a_password_login_stays_on_the_portal(client, provider):
    client.force_login(UserFactory())

    response = client.post("/compte/deconnexion/")

    assert response["Location"] == "/"
    assert provider.requests_to("session/end") == []


# --- Configuration ----------------------------------------------------------------------


def run_settings(code: str, **environ: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PROCONNECT_", "LOCAL_LOGIN", "LOGIN_"))
    }
    env.update(DJANGO_DEBUG="true", DJANGO_SETTINGS_MODULE="codegouv.settings", **environ)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; {code}",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_half_configuration_fails_fast_with_one_line():
    result = run_settings("pass", PROCONNECT_CLIENT_ID="abc")

    assert result.returncode != 0
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "PROCONNECT_ISSUER: required when another PROCONNECT_* variable is set "
            "(set all three, or none)"
        )
    )


def test_endpoints_default_to_proconnect_paths_under_the_issuer():
    result = run_settings(
        "print(settings.OIDC_OP_TOKEN_ENDPOINT, settings.PROCONNECT_END_SESSION_ENDPOINT, "
        "settings.AUTHENTICATION_BACKENDS[-1])",
        PROCONNECT_ISSUER="https://proconnect.example/api/v2/",
        PROCONNECT_CLIENT_ID="abc",
        PROCONNECT_CLIENT_SECRET="secret",
        LOCAL_LOGIN_ENABLED="false",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "https://proconnect.example/api/v2/token",
        "https://proconnect.example/api/v2/session/end",
        "accounts.oidc.ProConnectBackend",  # no password backend
    ]


def test_a_plain_http_provider_is_refused_outside_the_loopback():
    result = run_settings(
        "pass",
        PROCONNECT_ISSUER="http://proconnect.example/api/v2",
        PROCONNECT_CLIENT_ID="abc",
        PROCONNECT_CLIENT_SECRET="secret",
    )

    assert result.returncode != 0
    assert "PROCONNECT_ISSUER: expected an https:// URL" in result.stderr.splitlines()[-1]


def test_the_discovery_command_prints_the_lines_to_configure(provider):
    out = StringIO()

    call_command("proconnect_discovery", issuer=provider.issuer, stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == f"PROCONNECT_ISSUER={provider.issuer}"
    assert f"PROCONNECT_JWKS_ENDPOINT={provider.issuer}/jwks" in lines
    assert f"PROCONNECT_END_SESSION_ENDPOINT={provider.issuer}/session/end" in lines


def test_an_error_answer_to_nobodys_request_logs_nobody_out(client, provider):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    response = client.get("/compte/proconnect/retour/?error=access_denied&state=forged")

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
