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
