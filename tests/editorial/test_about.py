"""The about page: a guide page seeded by a migration (the about_page fixture runs it again
after tests that emptied the tables), editable, at /a-propos/."""

import re

import pytest
from django.core.cache import cache

from editorial.models import ABOUT_SLUG, GuidePage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("about_page")]


def test_the_about_page_says_how_to_get_listed_and_is_in_the_navigation(client):
    response = client.get("/a-propos/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "À propos" in html
    # What a public body needs to get its forge listed, and where the data comes from.
    assert "Faire référencer une forge ou une organisation" in html
    assert "D’où viennent les données" in html
    assert 'href="mailto:contact@code.gouv.fr"' in html
    nav = re.search(r'<nav class="fr-nav".*?</nav>', html, re.S).group(0)
    assert '<a class="fr-nav__link" href="/a-propos/" aria-current="page">À propos</a>' in nav


def test_the_guide_address_of_the_about_page_redirects_to_its_own(client):
    response = client.get("/guides/a-propos/?apercu=1")
    assert response.status_code == 301
    assert response["Location"] == "/a-propos/?apercu=1"
    assert GuidePage.objects.get(slug=ABOUT_SLUG).get_absolute_url() == "/a-propos/"


def test_what_the_editors_write_is_what_visitors_read(client):
    GuidePage.objects.filter(slug=ABOUT_SLUG).update(body="Texte revu par l’équipe éditoriale.")
    assert "Texte revu par l’équipe éditoriale." in client.get("/a-propos/").content.decode()


def test_an_unpublished_about_page_is_a_404_and_leaves_the_navigation(client):
    GuidePage.objects.filter(slug=ABOUT_SLUG).update(status=GuidePage.Status.DRAFT)
    cache.clear()  # the navigation's guide links are cached; the admin clears them on save
    assert client.get("/a-propos/").status_code == 404
    assert 'href="/a-propos/"' not in client.get("/").content.decode()


def test_the_english_navigation_names_the_about_page_in_english(client):
    html = client.get("/en/").content.decode()
    nav = re.search(r'<nav class="fr-nav".*?</nav>', html, re.S).group(0)
    assert '<a class="fr-nav__link" href="/en/a-propos/">About</a>' in nav
    assert client.get("/en/a-propos/").status_code == 200
