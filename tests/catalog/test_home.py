import pytest

from catalog.services.counts import refresh_owner_counts
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


def test_home_shows_counters_latest_repositories_and_a_search_box(client):
    RepositoryFactory.create_batch(3)
    RepositoryFactory(name="tout-neuf", description="Le plus récent")
    RepositoryFactory(name="disparu", gone=True)
    refresh_owner_counts()

    html = client.get("/").content.decode()

    assert '<form method="get" action="/depots/" role="search">' in html
    assert '<p class="fr-h2 fr-mb-0">4</p><p>dépôts de code source</p>' in html
    assert '<p class="fr-h2 fr-mb-0">4</p><p>organisations</p>' in html
    assert "tout-neuf" in html and "disparu" not in html


def test_home_counts_published_contributions_only(client):
    from tests.factories import ContributionFactory

    ContributionFactory.create_batch(2)
    ContributionFactory(pending=True)

    html = client.get("/").content.decode()

    assert '<p class="fr-h2 fr-mb-0">2</p><p>contributions aux logiciels libres</p>' in html
