"""What everybody sees: /bluehats/, upcoming events, archives, one event, the gazette."""

import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bluehats import demo
from bluehats.models import Event, GazetteIssue
from tests.bluehats.factories import EventFactory, GazetteIssueFactory, paris
from tests.factories import PublicBodyFactory, RepositoryFactory, SoftwareFactory

pytestmark = pytest.mark.django_db


def titles(response):
    return re.findall(
        r'<h3 class="fr-card__title"><a href="/bluehats/evenements/[\w-]+/">([^<]+)</a>',
        response.content.decode(),
    )


@pytest.fixture
def demo_data():
    demo.load(stdout=io.StringIO())


def test_home_shows_next_events_latest_gazette_and_how_to_join(client):
    EventFactory(title="Webinaire à venir")
    EventFactory(title="Webinaire passé", past=True)
    GazetteIssueFactory(number=33, title="Gazette BlueHats n°33")

    content = client.get("/bluehats/").content.decode()

    assert "Webinaire à venir" in content and "Webinaire passé" not in content
    assert "Gazette BlueHats n°33" in content
    assert 'href="https://lists.sr.ht/~bluehats/fr"' in content
    assert 'href="https://matrix.to/#/#bluehats:matrix.org"' in content
    assert 'href="webcal://testserver/bluehats/evenements.ics"' in content


def test_the_channels_come_from_the_settings(client, settings):
    settings.BLUEHATS_MAILING_LIST_URL = "https://listes.example.fr/bluehats"
    settings.BLUEHATS_NEWSLETTER_URL = "javascript:alert(1)"

    content = client.get("/bluehats/").content.decode()

    assert 'href="https://listes.example.fr/bluehats"' in content
    assert "javascript:" not in content


def test_upcoming_is_computed_at_each_request(client, monkeypatch):
    EventFactory(
        title="Webinaire de janvier",
        start_at=paris(2025, 1, 10, 11, 0),
        end_at=paris(2025, 1, 10, 12, 30),
    )
    monkeypatch.setattr(timezone, "now", lambda: paris(2025, 1, 10, 9, 0))
    assert titles(client.get("/bluehats/evenements/")) == ["Webinaire de janvier"]
    assert titles(client.get("/bluehats/evenements/archives/")) == []

    # The same process, two hours later: no restart, no rebuild.
    monkeypatch.setattr(timezone, "now", lambda: paris(2025, 1, 10, 12, 31))
    assert titles(client.get("/bluehats/evenements/")) == []
    assert titles(client.get("/bluehats/evenements/archives/")) == ["Webinaire de janvier"]


def test_upcoming_events_filter_by_kind_organiser_and_period(client):
    body = PublicBodyFactory(name="DINUM")
    EventFactory(
        title="Sprint DINUM",
        kind="sprint",
        organiser=body,
        start_at=timezone.now() + timedelta(days=3),
    )
    EventFactory(
        title="Hackathon lointain", kind="hackathon", start_at=timezone.now() + timedelta(days=60)
    )

    assert titles(client.get("/bluehats/evenements/?kind=sprint")) == ["Sprint DINUM"]
    assert titles(client.get(f"/bluehats/evenements/?organiser={body.slug}")) == ["Sprint DINUM"]
    assert titles(client.get("/bluehats/evenements/?period=semaine")) == ["Sprint DINUM"]
    assert titles(client.get("/bluehats/evenements/?period=trimestre")) == [
        "Sprint DINUM",
        "Hackathon lointain",
    ]
    # A hand-edited value is ignored, never a 5xx.
    assert client.get("/bluehats/evenements/?period=siecle&kind=x").status_code == 200


def test_the_demo_lists_the_real_webinars_by_year_and_the_real_gazette(client, demo_data):
    archive = client.get("/bluehats/evenements/archives/").content.decode()
    assert '<h2 id="annee-2025">2025</h2>' in archive and '<h2 id="annee-2018">2018</h2>' in archive
    assert "Présentation de Matomo (1/2)" in archive
    assert "Source des webinaires" in archive and "Licence Ouverte 2.0" in archive

    gazette = client.get("/bluehats/gazette/").content.decode()
    assert len(re.findall(r'href="/bluehats/gazette/\d+/"', gazette)) == 32
    assert "Gazette BlueHats 🧢 n°1" in gazette and "Gazette BlueHats 🧢 n°32" in gazette


def test_the_demo_imports_webinars_at_eleven_paris_time_and_is_idempotent(demo_data):
    matomo = Event.objects.get(title="Présentation de Matomo (1/2)")
    assert matomo.local_start.isoformat() == "2020-07-17T11:00:00+02:00"
    assert matomo.local_end.isoformat() == "2020-07-17T12:30:00+02:00"
    assert matomo.video_url.startswith("https://tube.numerique.gouv.fr/w/")
    assert matomo.source_url.startswith("https://code.gouv.fr/fr/bluehats/")
    afternoon = Event.objects.get(slug="portail-metier-education-nationale")
    assert afternoon.local_start.hour == 14
    meetup = Event.objects.get(slug="journee-2018")
    assert meetup.all_day and meetup.kind == "meetup"

    demo.load(stdout=io.StringIO())

    assert Event.objects.count() == 74 and GazetteIssue.objects.count() == 32


def test_an_event_page_with_its_calendar_button_and_sanitised_markdown(client):
    event = EventFactory(
        title="Webinaire Grist",
        description="**Grist** <script>alert(1)</script> [lien](javascript:alert(2))",
        start_at=paris(2030, 1, 10, 11, 0),
        end_at=paris(2030, 1, 10, 12, 30),
        registration_url="https://inscription.example.fr/grist",
    )

    content = client.get(f"/bluehats/evenements/{event.slug}/").content.decode()

    assert "<strong>Grist</strong>" in content
    assert "<script>alert" not in content and "javascript:" not in content
    assert f'href="/bluehats/evenements/{event.slug}.ics"' in content
    assert "Ajouter à mon agenda" in content
    assert "11:00" in content and "12:30" in content and "heure de Paris" in content
    assert 'href="https://inscription.example.fr/grist"' in content


def test_unpublished_events_are_a_404_for_everybody_else(client):
    pending = EventFactory(pending=True, title="Secret")
    assert client.get(f"/bluehats/evenements/{pending.slug}/").status_code == 404
    assert "Secret" not in client.get("/bluehats/evenements/").content.decode()
    assert "Secret" not in client.get("/bluehats/evenements/flux.atom").content.decode()


def test_gazette_issue_page_and_feeds(client):
    issue = GazetteIssueFactory(number=40, body="Au sommaire <script>x</script> **tout**")

    page = client.get("/bluehats/gazette/40/").content.decode()
    assert "<strong>tout</strong>" in page and "<script>" not in page
    assert "S’abonner à la gazette" in page
    assert client.get("/bluehats/gazette/41/").status_code == 404
    feed = client.get("/bluehats/gazette/flux.atom")
    assert feed.status_code == 200 and issue.title in feed.content.decode()
    EventFactory(title="Nouveau webinaire")
    assert "Nouveau webinaire" in client.get("/bluehats/evenements/flux.atom").content.decode()


def test_english_pages_and_the_sitemap(client):
    event = EventFactory()
    GazetteIssueFactory(number=7)
    assert "Upcoming BlueHats events" in client.get("/en/bluehats/evenements/").content.decode()
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "sitemap-bluehats-events.xml" in sitemap
    events = client.get("/sitemap-bluehats-events.xml").content.decode()
    assert f"/bluehats/evenements/{event.slug}/" in events
    assert "/bluehats/gazette/7/" in client.get("/sitemap-bluehats-gazette.xml").content.decode()
    assert "/bluehats/" in client.get("/sitemap-static.xml").content.decode()


@pytest.mark.parametrize("page", ["home", "events", "archive", "event", "gazette", "issue"])
def test_query_count_does_not_grow(client, django_assert_num_queries, page, warm_navigation_cache):
    body = PublicBodyFactory()
    shown = EventFactory(slug="montre", organiser=body)
    GazetteIssueFactory(number=1)
    url = {
        "home": "/bluehats/",
        "events": "/bluehats/evenements/",
        "archive": "/bluehats/evenements/archives/",
        "event": "/bluehats/evenements/montre/",
        "gazette": "/bluehats/gazette/",
        "issue": "/bluehats/gazette/1/",
    }[page]

    def add(rows):
        for _i in range(rows):
            EventFactory(organiser=PublicBodyFactory())
            EventFactory(past=True, organiser=PublicBodyFactory())
            GazetteIssueFactory()
            shown.software.add(SoftwareFactory())
            shown.repositories.add(RepositoryFactory())

    add(3)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    add(3)
    with django_assert_num_queries(len(context.captured_queries)):
        assert client.get(url).status_code == 200
