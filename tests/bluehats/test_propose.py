"""Agents propose events; the form refuses what a calendar could not hold."""

import uuid

import pytest
from django.db import IntegrityError

from bluehats.models import Event
from tests.bluehats.factories import EventFactory
from tests.factories import PublicBodyFactory, UserFactory

pytestmark = pytest.mark.django_db

PROPOSE = "/bluehats/evenements/proposer/"


@pytest.fixture
def agent():
    return UserFactory(public_body=PublicBodyFactory(name="DINUM"))


def form_data(**overrides):
    return {
        "submission_token": uuid.uuid4().hex,
        "kind": "webinar",
        "title": "Webinaire Grist",
        "start_at": "2030-01-10T11:00",
        "end_at": "2030-01-10T12:30",
        "online": "on",
        "place": "",
        "online_url": "https://webinaire.numerique.gouv.fr/grist",
        "registration_url": "",
        "organiser": "",
        "speakers": "Camille Durand (DINUM)",
        "description": "**Grist** <script>alert(1)</script>",
    } | overrides


def test_an_agent_proposes_an_event_which_waits_for_moderation(client, agent):
    client.force_login(agent)
    assert client.get(PROPOSE).status_code == 200

    response = client.post(PROPOSE, form_data(), follow=True)

    event = Event.objects.get()
    assert response.redirect_chain[-1][0] == f"/bluehats/evenements/{event.slug}/"
    assert event.is_pending and event.author == agent
    assert event.local_start.isoformat() == "2030-01-10T11:00:00+01:00"
    page = response.content.decode()
    assert "sera publié après vérification" in page
    assert "<strong>Grist</strong>" in page and "<script>alert" not in page
    assert (
        f'href="/bluehats/evenements/{event.pk}/modifier/"'
        in client.get("/compte/").content.decode()
    )
    client.logout()
    assert client.get(f"/bluehats/evenements/{event.slug}/").status_code == 404


def test_a_proposal_posted_twice_makes_one_event(client, agent):
    client.force_login(agent)
    data = form_data()
    client.post(PROPOSE, data)
    response = client.post(PROPOSE, data, follow=True)
    assert Event.objects.count() == 1
    assert "déjà proposé" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_at": "2030-01-10T10:00"}, "La fin de l’événement doit suivre son début."),
        (
            {"start_at": "2025-03-30T02:30", "end_at": "2025-03-30T04:00"},
            "Cette heure n’existe pas à Paris",
        ),
        ({"online": "", "place": ""}, "Indiquez le lieu"),
        ({"online_url": "javascript:alert(1)"}, "Saisissez une URL valide"),
        ({"start_at": "pas une date"}, "Saisissez une date et une heure valides"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, agent, overrides, message):
    client.force_login(agent)

    response = client.post(PROPOSE, form_data(**overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_outsiders_cannot_propose_and_anonymous_users_log_in(client):
    assert client.get(PROPOSE).status_code == 302
    client.force_login(UserFactory(outsider=True))
    assert client.get(PROPOSE).status_code == 403


def test_the_author_edits_their_event_and_a_new_time_raises_its_sequence(client, agent):
    event = EventFactory(author=agent, pending=True)
    client.force_login(agent)

    moved = form_data(start_at="2030-02-10T11:00", end_at="2030-02-10T12:30")
    client.post(f"/bluehats/evenements/{event.pk}/modifier/", moved)

    event.refresh_from_db()
    assert event.local_start.isoformat() == "2030-02-10T11:00:00+01:00"
    assert event.sequence == 1
    other = EventFactory()
    assert client.get(f"/bluehats/evenements/{other.pk}/modifier/").status_code == 404


def test_the_database_refuses_an_event_ending_before_it_starts():
    event = EventFactory.build(organiser=None)
    event.end_at = event.start_at.replace(year=event.start_at.year - 1)
    with pytest.raises(IntegrityError):
        event.save()
