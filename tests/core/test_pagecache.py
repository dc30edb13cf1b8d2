"""Whole pages for anonymous visitors (core.pagecache): repeated pages come from the cache,
signed-in users always get theirs fresh."""

import pytest
from django.urls import reverse

from catalog.listing_cache import bump_catalog_version
from tests.factories import RepositoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.CACHE_MIDDLEWARE_SECONDS = 60


def test_an_anonymous_visitor_gets_a_repeated_page_from_the_cache(client, page_cache):
    RepositoryFactory(full_path="org/premier")
    first = client.get("/depots/")
    RepositoryFactory(full_path="org/second")
    bump_catalog_version()  # as a harvest does: the listing's own caches go stale

    again = client.get("/depots/")

    assert "max-age=60" in first["Cache-Control"]
    assert "org/premier" in again.content.decode()
    assert "org/second" not in again.content.decode()  # at most a minute stale
    assert client.get("/depots/?page=1").status_code == 200  # another address: rendered


def test_a_signed_in_user_always_gets_a_fresh_page(client, page_cache):
    client.force_login(UserFactory())
    RepositoryFactory(full_path="org/premier")
    first = client.get("/depots/")
    RepositoryFactory(full_path="org/second")
    bump_catalog_version()  # as a harvest does: the listing's own caches go stale

    again = client.get("/depots/")

    assert "max-age" not in first.get("Cache-Control", "")
    assert "org/second" in again.content.decode()
    assert "Se connecter" not in again.content.decode()


def test_an_anonymous_page_is_never_served_to_a_signed_in_user(client, page_cache):
    client.get("/depots/")  # cached for anonymous visitors
    client.force_login(UserFactory())

    html = client.get("/depots/").content.decode()

    assert "Se déconnecter" in html and "Se connecter" not in html


def test_a_page_that_sets_a_cookie_is_not_stored(client, page_cache):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert "max-age=60" not in response.get("Cache-Control", "")


def test_off_by_default_in_tests_and_without_redis(client):
    RepositoryFactory(full_path="org/premier")
    client.get("/depots/")
    RepositoryFactory(full_path="org/second")
    bump_catalog_version()  # as a harvest does: the listing's own caches go stale

    assert "org/second" in client.get("/depots/").content.decode()


def test_a_moderators_decision_refreshes_the_anonymous_pages_at_once(client, page_cache):
    from moderation.services import hide, publish
    from tests.factories import ContributionFactory

    moderator = UserFactory(is_staff=True)
    contribution = ContributionFactory(pending=True, project_name="Projet en attente")
    assert "Projet en attente" not in client.get("/contributions/").content.decode()
    home = client.get("/").content.decode()
    assert '<p class="fr-h2 fr-mb-0">0</p><p>contributions aux logiciels libres</p>' in home
    assert client.get("/").content.decode() == home  # from the page cache

    publish(contribution, by=moderator)

    assert "Projet en attente" in client.get("/contributions/").content.decode()
    home = client.get("/").content.decode()
    assert '<p class="fr-h2 fr-mb-0">1</p><p>contributions aux logiciels libres</p>' in home

    hide(contribution, by=moderator)
    assert "Projet en attente" not in client.get("/contributions/").content.decode()
