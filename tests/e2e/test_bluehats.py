"""A visitor follows the BlueHats events: from /bluehats/ to the upcoming events, filters
them, opens one and adds it to their calendar; every BlueHats page passes the axe audit."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.bluehats.factories import ContributorProfileFactory, EventFactory, GazetteIssueFactory
from tests.e2e.conftest import DESKTOP, MOBILE
from tests.e2e.test_accessibility import audit, describe
from tests.factories import PublicBodyFactory

BLUEHATS_PAGES = {
    "bluehats": "/bluehats/",
    "events": "/bluehats/evenements/",
    "events-filtered": "/bluehats/evenements/?kind=sprint",
    "archive": "/bluehats/evenements/archives/",
    "event": "/bluehats/evenements/sprint-grist/",
    "gazette": "/bluehats/gazette/",
    "gazette-issue": "/bluehats/gazette/32/",
    "contributors": "/contributeurs/",
    "contributor": "/contributeurs/camille-durand/",
}


@pytest.fixture
def events(transactional_db):
    body = PublicBodyFactory(name="Direction interministérielle du numérique")
    soon = timezone.now() + timedelta(days=5)
    EventFactory(
        title="Sprint Grist",
        slug="sprint-grist",
        kind="sprint",
        organiser=body,
        online=False,
        place="Paris, 20 avenue de Ségur",
        start_at=soon,
        end_at=soon + timedelta(hours=6),
        registration_url="https://inscription.example.fr/grist",
    )
    EventFactory(title="Webinaire OKDP", organiser=body, start_at=soon + timedelta(days=20))
    EventFactory(title="Webinaire Matomo", past=True, organiser=body)
    GazetteIssueFactory(number=32, title="Gazette BlueHats n°32")
    ContributorProfileFactory(slug="camille-durand", display_name="Camille Durand")


def test_a_visitor_finds_a_sprint_and_adds_it_to_their_calendar(page, url, events):
    page.goto(url("/bluehats/"))
    page.get_by_role("link", name="Tous les événements à venir").click()
    expect(page).to_have_url(re.compile(r"/bluehats/evenements/$"))
    expect(page.locator("#result-count")).to_have_text("2 événements à venir")

    page.locator("section[aria-labelledby='facet-kind'] a", has_text="sprint").click()
    expect(page).to_have_url(re.compile(r"kind=sprint"))
    expect(page.locator("#result-count")).to_have_text("1 événement à venir")

    page.get_by_role("link", name="Sprint Grist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sprint Grist")
    add = page.get_by_role("link", name="Ajouter à mon agenda")
    expect(add).to_have_attribute("href", "/bluehats/evenements/sprint-grist.ics")
    calendar = page.request.get(url("/bluehats/evenements/sprint-grist.ics"))
    assert calendar.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "DTSTART;TZID=Europe/Paris:" in calendar.text()


def test_the_events_work_without_javascript(browser, live_server, events):
    context = browser.new_context(viewport=MOBILE, java_script_enabled=False, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/bluehats/evenements/?period=semaine")
        expect(page.locator("#result-count")).to_have_text("1 événement à venir")
        expect(page.get_by_role("link", name="S’abonner à l’agenda")).to_have_attribute(
            "href", re.compile(r"^webcal://")
        )
    finally:
        context.close()


@pytest.mark.parametrize("name", BLUEHATS_PAGES)
def test_no_serious_accessibility_violation_on_bluehats_pages(browser, live_server, events, name):
    path = BLUEHATS_PAGES[name]
    failures = []
    for prefix, viewport in (("", DESKTOP), ("", MOBILE), ("/en", DESKTOP)):
        context = browser.new_context(locale="fr-FR", viewport=viewport)
        try:
            page = context.new_page()
            response = page.goto(f"{live_server.url}{prefix}{path}")
            assert response.status == 200, (prefix, viewport)
            if blocking := audit(page, f"bluehats-{name}{prefix.replace('/', '-')}"):
                failures.append(f"{prefix}{path}:\n{describe(blocking)}")
        finally:
            context.close()
    assert not failures, "\n".join(failures)
