import re

import pytest

from catalog.services.counts import refresh_owner_counts
from tests.factories import ContributionFactory, RepositoryFactory, SoftwareFactory

pytestmark = pytest.mark.django_db


def test_home_shows_counters_latest_repositories_and_a_search_box(client):
    RepositoryFactory.create_batch(3)
    RepositoryFactory(name="tout-neuf", description="Le plus récent")
    RepositoryFactory(name="disparu", gone=True)
    refresh_owner_counts()

    html = client.get("/").content.decode()

    assert '<form method="get" action="/recherche/" role="search">' in html
    assert '<p class="fr-h2 fr-mb-0">4</p><p>dépôts de code source</p>' in html
    assert '<p class="fr-h2 fr-mb-0">4</p><p>organisations</p>' in html
    assert "tout-neuf" in html and "disparu" not in html


def test_home_counts_published_contributions_only(client):
    from tests.factories import ContributionFactory

    ContributionFactory.create_batch(2)
    ContributionFactory(pending=True)

    html = client.get("/").content.decode()

    assert '<p class="fr-h2 fr-mb-0">2</p><p>contributions aux logiciels libres</p>' in html


def counter(html: str, label: str) -> str:
    match = re.search(rf'<p class="fr-h2 fr-mb-0">([^<]*)</p><p>{label}</p>', html)
    assert match, label
    return match.group(1)


def test_the_counters_follow_contributions_and_software_at_once(client):
    pending = ContributionFactory(pending=True)
    ContributionFactory()
    software = SoftwareFactory()
    html = client.get("/").content.decode()
    assert counter(html, "contributions aux logiciels libres") == "1"
    assert counter(html, r"logiciels recommandés \(SILL\)") == "1"

    # Published by a moderator after the counters were cached: counted on the next page.
    pending.moderation_status = "published"
    pending.save()
    SoftwareFactory()
    html = client.get("/").content.decode()
    assert counter(html, "contributions aux logiciels libres") == "2"
    assert counter(html, r"logiciels recommandés \(SILL\)") == "2"

    pending.delete()
    software.delete()
    html = client.get("/").content.decode()
    assert counter(html, "contributions aux logiciels libres") == "1"
    assert counter(html, r"logiciels recommandés \(SILL\)") == "1"


def test_home_tiles_lead_to_every_section_including_organisations_awesome_data_and_about(
    client, about_page
):
    html = client.get("/").content.decode()
    tiles = re.findall(r'<h3 class="fr-tile__title"><a href="([^"]+)">', html)
    for url in ("/organisations/", "/depots/awesome/", "/donnees/", "/a-propos/"):
        assert url in tiles
    for url in tiles:
        assert client.get(url).status_code == 200, url


def test_a_moderator_publishing_updates_the_counters_at_once(client):
    from moderation.services import publish
    from tests.factories import UserFactory

    moderator = UserFactory(is_staff=True)
    contribution = ContributionFactory(pending=True)
    proposal = SoftwareFactory(proposed=True)
    html = client.get("/").content.decode()  # the counters are now cached
    assert counter(html, "contributions aux logiciels libres") == "0"
    assert counter(html, r"logiciels recommandés \(SILL\)") == "0"

    publish(contribution, by=moderator)
    publish(proposal, by=moderator)

    html = client.get("/").content.decode()
    assert counter(html, "contributions aux logiciels libres") == "1"
    assert counter(html, r"logiciels recommandés \(SILL\)") == "1"
