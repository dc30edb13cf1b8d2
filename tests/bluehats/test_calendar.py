"""The .ics feeds: they parse, keep Paris time across daylight saving, give every event one
UID that never changes, and tell calendars of a cancellation."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.utils import timezone

from bluehats import services
from tests.bluehats.factories import EventFactory, paris

pytestmark = pytest.mark.django_db

FEED = "/bluehats/evenements.ics"


def events_of(response):
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def clock(monkeypatch):
    """Sets the time django.utils.timezone.now() answers (the views read it per request)."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def test_the_feed_parses_and_holds_what_calendars_need(client):
    EventFactory(
        title="Webinaire Grist", place="", online_url="https://webinaire.numerique.gouv.fr/x"
    )

    response = client.get(FEED)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline")
    calendar, events = events_of(response)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Événements BlueHats"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    (event,) = events.values()
    for name in (
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "URL",
        "STATUS",
        "SEQUENCE",
        "LAST-MODIFIED",
    ):
        assert name in event, name
    assert str(event["SUMMARY"]) == "Webinaire Grist"
    assert str(event["LOCATION"]) == "https://webinaire.numerique.gouv.fr/x"
    assert str(event["URL"]).startswith("http://testserver/bluehats/evenements/")


def test_uids_are_unique_and_stable_across_requests_and_edits(client):
    first, second = EventFactory(), EventFactory()

    _cal, before = events_of(client.get(FEED))
    first.title = "Nouveau titre"
    first.save()
    _cal, after = events_of(client.get(FEED))

    assert set(before) == set(after) == {f"{first.uid}@code.gouv.fr", f"{second.uid}@code.gouv.fr"}


def test_paris_time_in_winter_and_in_summer(client, clock):
    clock(paris(2025, 1, 1, 12, 0))
    winter = EventFactory(start_at=paris(2025, 1, 10, 11, 0), end_at=paris(2025, 1, 10, 12, 30))
    summer = EventFactory(start_at=paris(2025, 6, 12, 11, 0), end_at=paris(2025, 6, 12, 12, 30))

    response = client.get(FEED)

    text = response.content.decode()
    assert "DTSTART;TZID=Europe/Paris:20250110T110000" in text
    assert "DTEND;TZID=Europe/Paris:20250110T123000" in text
    assert "DTSTART;TZID=Europe/Paris:20250612T110000" in text
    _cal, events = events_of(response)
    start = {uid: e.decoded("DTSTART").astimezone(UTC) for uid, e in events.items()}
    assert start[f"{winter.uid}@code.gouv.fr"] == datetime(2025, 1, 10, 10, 0, tzinfo=UTC)
    assert start[f"{summer.uid}@code.gouv.fr"] == datetime(2025, 6, 12, 9, 0, tzinfo=UTC)


def test_a_cancelled_event_stays_in_the_feed_with_a_higher_sequence(client):
    event = EventFactory()
    _cal, before = events_of(client.get(FEED))

    services.cancel_event(event=event)

    _cal, after = events_of(client.get(FEED))
    uid = f"{event.uid}@code.gouv.fr"
    assert str(before[uid]["STATUS"]) == "CONFIRMED"
    assert str(after[uid]["STATUS"]) == "CANCELLED"
    assert after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"]


def test_an_editor_moving_an_event_raises_its_sequence_a_typo_does_not(client):
    event = EventFactory()
    services.editor_saved(event, changed_fields=["title"])
    assert event.sequence == 0
    services.editor_saved(event, changed_fields=["start_at", "end_at"])
    assert event.sequence == 1


def test_the_feed_keeps_six_months_of_past_events_and_leaves_out_unpublished(client):
    recent = EventFactory(start_at=timezone.now() - timedelta(days=60))
    EventFactory(title="Très ancien", start_at=timezone.now() - timedelta(days=400))
    EventFactory(title="En attente", pending=True)

    _cal, events = events_of(client.get(FEED))

    assert list(events) == [f"{recent.uid}@code.gouv.fr"]


def test_one_event_as_ics_and_an_all_day_meetup(client):
    meetup = EventFactory(
        kind="meetup",
        all_day=True,
        online=False,
        place="Paris",
        start_at=paris(2025, 12, 4, 0, 0),
        end_at=paris(2025, 12, 6, 0, 0),
    )

    response = client.get(f"/bluehats/evenements/{meetup.slug}.ics")

    text = response.content.decode()
    assert "DTSTART;VALUE=DATE:20251204" in text and "DTEND;VALUE=DATE:20251206" in text
    _cal, events = events_of(response)
    assert str(events[f"{meetup.uid}@code.gouv.fr"]["LOCATION"]) == "Paris"
    assert client.get("/bluehats/evenements/inconnu.ics").status_code == 404
    pending = EventFactory(pending=True)
    assert client.get(f"/bluehats/evenements/{pending.slug}.ics").status_code == 404


def test_stored_control_characters_never_break_the_feed(client):
    EventFactory(title="Titre\x0b bizarre", description="Texte\x01 avec contrôle")

    _cal, events = events_of(client.get(FEED))

    assert "\x0b" not in str(next(iter(events.values()))["SUMMARY"])


def test_the_vtimezone_itself_gives_paris_offsets_around_the_clock_changes(client):
    """For clients that read the VTIMEZONE rather than their own zone data."""
    EventFactory()
    calendar, _events = events_of(client.get(FEED))
    (vtimezone,) = calendar.walk("VTIMEZONE")
    zone = vtimezone.to_tz()

    def offset(*moment):
        return datetime(*moment, tzinfo=zone).utcoffset()

    assert offset(2025, 1, 10, 11, 0) == timedelta(hours=1)
    assert offset(2025, 6, 12, 11, 0) == timedelta(hours=2)
    assert offset(2025, 3, 30, 1, 59) == timedelta(hours=1)
    assert offset(2025, 3, 30, 3, 0) == timedelta(hours=2)
    assert offset(2025, 10, 26, 3, 1) == timedelta(hours=1)
