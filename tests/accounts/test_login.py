import pytest
from django.db import IntegrityError

from accounts.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_stored_lower_cased():
    user = User.objects.create_user("Agent.Dupont@Numerique.Gouv.FR", password="x")

    assert user.email == "agent.dupont@numerique.gouv.fr"
    assert User.USERNAME_FIELD == "email"


def test_two_accounts_cannot_share_an_address_in_different_cases():
    UserFactory(email="agent@numerique.gouv.fr")

    with pytest.raises(IntegrityError):
        User.objects.create(email="AGENT@numerique.gouv.fr")


def test_an_agent_logs_in_with_email_and_password_then_logs_out(client):
    UserFactory(email="agent@numerique.gouv.fr", first_name="Camille")

    response = client.post(
        "/compte/connexion/",
        {"username": "Agent@Numerique.gouv.fr", "password": DEFAULT_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [("/", 302)]
    assert "Se déconnecter" in response.content.decode()

    response = client.post("/compte/deconnexion/", follow=True)
    assert "Se connecter" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_clear_message(client):
    UserFactory(email="agent@numerique.gouv.fr")

    response = client.post(
        "/compte/connexion/", {"username": "agent@numerique.gouv.fr", "password": "nope"}
    )

    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_test_clients_login_still_works_outside_http(client):
    user = UserFactory()

    assert client.login(username=user.email, password=DEFAULT_PASSWORD)
    assert not client.login(username=user.email, password="nope")


def test_with_the_local_login_off_the_form_is_gone_and_a_post_is_refused(client, settings):
    settings.LOCAL_LOGIN_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = [
        "accounts.lockout.LockoutBackend",
        "accounts.oidc.ProConnectBackend",
    ]
    user = UserFactory()

    html = client.get("/compte/connexion/").content.decode()
    assert 'name="password"' not in html
    assert "Aucun moyen de connexion n’est ouvert" in html  # ProConnect is not configured either

    response = client.post(
        "/compte/connexion/?next=/sill/",
        {"username": user.email, "password": DEFAULT_PASSWORD, "next": "/sill/"},
        follow=True,
    )
    assert response.redirect_chain == [("/compte/connexion/?next=%2Fsill%2F", 302)]
    assert "La connexion par mot de passe est désactivée sur ce site." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not client.login(username=user.email, password=DEFAULT_PASSWORD)


def test_the_admin_login_page_sends_to_the_portals(client):
    response = client.get("/admin/login/?next=/admin/catalog/forge/")
    assert response["Location"] == "/compte/connexion/?next=%2Fadmin%2Fcatalog%2Fforge%2F"

    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/compte/connexion/?next=%2Fadmin%2F"


def test_an_editor_logging_in_from_the_admin_comes_back_to_it(client):
    UserFactory(email="editrice@numerique.gouv.fr", staff=True)

    response = client.post(
        "/compte/connexion/",
        {
            "username": "editrice@numerique.gouv.fr",
            "password": DEFAULT_PASSWORD,
            "next": "/admin/",
        },
    )

    assert response["Location"] == "/admin/"
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/admin/"


def test_a_logged_in_agent_without_admin_access_is_told_so_without_a_loop(client):
    client.force_login(UserFactory())

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1] == ("/", 302)
    assert "Votre compte n’a pas accès à l’administration." in response.content.decode()
