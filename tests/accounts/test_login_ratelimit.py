"""Failed password attempts lock an account, and an address, for a while (django-axes)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/compte/connexion/"


def attempt(client, email, password="wrong password", **extra):  # noqa: S107
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def is_logged_in(client):
    return "_auth_user_id" in client.session


def travel_past_the_lockout(minutes=16):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


@pytest.fixture
def agent():
    return UserFactory(email="agent@numerique.gouv.fr")


def test_five_wrong_passwords_lock_the_account_with_a_429_page(client, agent):
    for _ in range(4):
        assert attempt(client, agent.email).status_code == 200

    response = attempt(client, agent.email)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de tentatives de connexion" in html
    assert "Réessayez dans 15 minutes." in html
    assert response["Retry-After"] == "900"


def test_while_locked_even_the_right_password_is_refused(client, agent):
    for _ in range(5):
        attempt(client, agent.email)

    response = attempt(client, agent.email, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_address_is_counted_whatever_its_case(client, agent):
    for email in ["Agent@Numerique.gouv.fr", "AGENT@numerique.gouv.fr", " agent@numerique.gouv.fr"]:
        attempt(client, email)
    attempt(client, agent.email)

    assert attempt(client, agent.email).status_code == 429


def test_the_account_is_locked_whatever_the_address_it_is_tried_from(client, agent):
    for number in range(5):
        attempt(client, agent.email, REMOTE_ADDR=f"192.0.2.{number}")

    response = attempt(client, agent.email, DEFAULT_PASSWORD, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 429


def test_one_address_trying_many_accounts_is_locked(client):
    for number in range(5):
        attempt(client, f"someone{number}@numerique.gouv.fr")
    other = UserFactory()

    assert attempt(client, other.email, DEFAULT_PASSWORD).status_code == 429
    # The accounts themselves are not locked for their owners elsewhere.
    response = attempt(client, other.email, DEFAULT_PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302 and is_logged_in(client)


def test_a_success_resets_the_counters(client, agent):
    for _ in range(4):
        attempt(client, agent.email)
    assert attempt(client, agent.email, DEFAULT_PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        assert attempt(client, agent.email).status_code == 200
    assert attempt(client, agent.email, DEFAULT_PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, agent):
    for _ in range(5):
        attempt(client, agent.email)
    travel_past_the_lockout(minutes=10)
    response = attempt(client, agent.email, DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert "Réessayez dans 5 minutes." in response.content.decode()

    travel_past_the_lockout(minutes=6)

    response = attempt(client, agent.email, DEFAULT_PASSWORD)
    assert response.status_code == 302 and is_logged_in(client)


def test_limit_and_duration_come_from_the_settings(client, agent, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    settings.LOGIN_LOCKOUT_MINUTES = 1

    attempt(client, agent.email)
    response = attempt(client, agent.email)

    assert response.status_code == 429
    assert "Réessayez dans 1 minute." in response.content.decode()


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, agent, settings):
    settings.LOGIN_IP_FROM_FORWARDED_FOR = True
    for number in range(5):
        # The client forges the first entries; the proxy appends the address it saw.
        attempt(
            client,
            f"someone{number}@numerique.gouv.fr",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, 203.0.113.9",
        )

    locked = attempt(
        client, agent.email, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9"
    )
    assert locked.status_code == 429
    other = attempt(client, agent.email, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 302


def test_without_the_proxy_setting_x_forwarded_for_is_ignored(client, agent):
    for number in range(5):
        attempt(
            client, f"someone{number}@numerique.gouv.fr", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}"
        )

    response = attempt(client, agent.email, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert response.status_code == 429


def test_logging_into_ones_own_account_does_not_clear_guesses_at_another(client, agent):
    attacker = UserFactory(email="attaquant@numerique.gouv.fr")
    for _ in range(2):
        for _ in range(2):
            assert attempt(client, agent.email).status_code == 200
        assert attempt(client, attacker.email, DEFAULT_PASSWORD).status_code == 302
        client.logout()

    # Four failures against the agent so far, all from one address: the fifth locks.
    assert attempt(client, agent.email).status_code == 429
    assert attempt(client, agent.email, DEFAULT_PASSWORD).status_code == 429
