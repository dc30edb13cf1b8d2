"""The BlueHats lists of the API: events, gazette issues, public contributor profiles."""

import time

import pytest
from django.utils import timezone

from bluehats.models import ContributorProfile, Event
from tests.api.conftest import traverse
from tests.bluehats.factories import ContributorProfileFactory, EventFactory, GazetteIssueFactory
from tests.factories import RepositoryFactory, SoftwareFactory

pytestmark = pytest.mark.django_db


def test_events_are_the_published_ones_past_and_upcoming_with_their_links(api):
    software, repository = SoftwareFactory(), RepositoryFactory()
    upcoming = EventFactory(title="Sprint Grist", kind="sprint")
    upcoming.software.add(software)
    upcoming.repositories.add(repository)
    EventFactory(past=True)
    EventFactory(pending=True)

    items = traverse(api, "events/")

    assert len(items) == 2
    item = next(entry for entry in items if entry["title"] == "Sprint Grist")
    assert item["uid"] == str(upcoming.uid) and item["kind"] == "sprint"
    assert item["start_at"].endswith("Z")  # UTC, whatever the site's zone
    assert item["page_url"] == f"http://testserver/bluehats/evenements/{upcoming.slug}/"
    assert item["calendar_url"].endswith(f"/bluehats/evenements/{upcoming.slug}.ics")
    assert item["software"] == [f"http://testserver/api/v1/software/{software.pk}/"]
    assert item["repositories"] == [f"http://testserver/api/v1/repositories/{repository.pk}/"]
    assert item["organiser"]["name"] == upcoming.organiser.name
    assert api("events/", kind="sprint").json()["results"][0]["title"] == "Sprint Grist"
    pending = Event.objects.get(moderation_status="pending")
    assert api(f"events/{pending.pk}/").status_code == 404
    assert api("events/", kind="nonsense").status_code == 400


def test_a_list_costs_the_same_queries_for_n_and_2n_events(api, count_queries):
    for _ in range(3):
        EventFactory().software.add(SoftwareFactory())
    few = count_queries(lambda: api("events/"))
    for _ in range(3):
        EventFactory().software.add(SoftwareFactory())
    assert count_queries(lambda: api("events/")) == few


def test_gazette_issues(api):
    GazetteIssueFactory(number=32, title="Gazette BlueHats n°32")
    items = traverse(api, "gazette/")
    assert [(item["number"], item["title"]) for item in items] == [(32, "Gazette BlueHats n°32")]
    assert items[0]["page_url"] == "http://testserver/bluehats/gazette/32/"


def test_only_public_profiles_and_never_an_address(api):
    shown = ContributorProfileFactory(display_name="Camille Durand")
    hidden = ContributorProfileFactory(private=True)
    items = traverse(api, "contributors/")
    assert [item["display_name"] for item in items] == ["Camille Durand"]
    body = api("contributors/").content.decode()
    assert shown.user.email not in body and "@" not in body.replace("@context", "")
    assert api(f"contributors/{hidden.pk}/").status_code == 404


def test_a_mirror_syncs_cancellations_and_profiles_made_private(api):
    event = EventFactory()
    profile = ContributorProfileFactory()
    gone = EventFactory()
    time.sleep(0.01)
    since = timezone.now().isoformat()
    time.sleep(0.01)

    Event.objects.filter(pk=event.pk).update(status="cancelled")
    ContributorProfile.objects.filter(pk=profile.pk).update(is_public=False)
    gone_pk = gone.pk
    gone.delete()

    events = traverse(api, "events/", updated_since=since)
    assert {entry["id"]: entry.get("status") for entry in events} == {
        event.pk: "cancelled",
        gone_pk: None,  # a tombstone
    }
    assert "deleted_at" in next(entry for entry in events if entry["id"] == gone_pk)
    profiles = traverse(api, "contributors/", updated_since=since)
    assert [set(entry) for entry in profiles] == [{"id", "deleted_at"}]
