"""The page chrome every visitor meets: header, navigation, footer, languages, theme."""

import re

import pytest

pytestmark = pytest.mark.django_db

FOOTER_PAGES = {
    "/accessibilite/": "Déclaration d’accessibilité",
    "/mentions-legales/": "Mentions légales",
    "/donnees-personnelles/": "Données personnelles",
    "/plan-du-site/": "Plan du site",
}


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_home_presents_the_service_in_french_with_the_dsfr(client):
    html = html_of(client, "/")

    assert '<html lang="fr" data-fr-scheme="system">' in html
    assert "Les codes sources et logiciels libres du secteur public" in html
    assert re.search(
        r'href="/static/dsfr/dist/dsfr/dsfr\.min\.[0-9a-f]+\.css"|dsfr\.min\.css', html
    )
    assert 'class="fr-header"' in html
    for label in ("Codes sources", "SILL", "Contributions", "Statistiques", "Se connecter"):
        assert label in html


def test_the_service_name_is_configurable(client, settings):
    settings.SITE_NAME = "code.example.gouv.fr"

    html = html_of(client, "/")

    assert '<p class="fr-header__service-title">code.example.gouv.fr</p>' in html


def test_skip_links_lead_to_elements_of_the_page(client):
    html = html_of(client, "/")

    skiplinks = re.search(r'<div class="fr-skiplinks">(.*?)</div>', html, re.S).group(1)
    targets = re.findall(r'href="#([\w-]+)"', skiplinks)
    assert targets == ["content", "navigation", "footer"]
    for target in targets:
        assert f'id="{target}"' in html


def test_navigation_leads_to_real_pages_and_marks_the_current_one(client, about_page):
    home = html_of(client, "/")
    nav = re.search(r'<nav class="fr-nav".*?</nav>', home, re.S).group(0)
    urls = re.findall(r'href="([^"]+)"', nav)
    assert urls == [
        "/depots/",
        "/organisations/",
        "/ministeres/",
        "/sill/",
        "/contributions/",
        "/bluehats/",
        "/depots/awesome/",
        "/statistiques/",
        "/donnees/",
        "/a-propos/",  # the about guide page, seeded by a migration
    ]

    for url in urls:
        page = html_of(client, url)
        current = re.findall(r'<a class="fr-nav__link" href="([^"]+)" aria-current="page"', page)
        assert current == [url]


def test_footer_links_each_lead_to_a_real_page(client):
    home = html_of(client, "/")
    footer = re.search(r"<footer.*?</footer>", home, re.S).group(0)

    for url, title in FOOTER_PAGES.items():
        assert f'href="{url}"' in footer
        assert f"<h1>{title}</h1>" in html_of(client, url)


def test_language_switch_really_switches_to_english_and_back(client):
    french = html_of(client, "/mentions-legales/")
    assert 'hreflang="en" lang="en" href="/en/mentions-legales/"' in french

    english = html_of(client, "/en/mentions-legales/")

    assert '<html lang="en"' in english
    assert "<h1>Legal notice</h1>" in english
    assert "Source code" in english and "Log in" in english
    assert 'hreflang="fr" lang="fr" href="/mentions-legales/"' in english
    # Links inside the English pages stay in English.
    assert 'href="/en/depots/"' in english


def test_language_switch_keeps_the_query_string(client):
    html = html_of(client, "/plan-du-site/?page=2")

    assert 'href="/en/plan-du-site/?page=2"' in html


def test_theme_switch_is_offered(client):
    html = html_of(client, "/")

    assert 'id="fr-theme-modal"' in html
    openers = re.findall(r'aria-controls="fr-theme-modal" data-fr-opened="false"', html)
    assert len(openers) == 2  # in the header and in the footer


def test_every_page_of_the_chrome_exists_in_english(client):
    for url in [
        "/",
        "/depots/",
        "/sill/",
        "/contributions/",
        "/statistiques/",
        "/compte/connexion/",
        *FOOTER_PAGES,
    ]:
        html = html_of(client, f"/en{url}")
        assert '<html lang="en"' in html


def test_agents_find_the_code_to_publish_in_the_navigation(client):
    from tests.factories import UserFactory

    anonymous = client.get("/depots/").content.decode()
    assert "/depots/a-publier/" not in anonymous

    client.force_login(UserFactory())
    html = client.get("/depots/a-publier/").content.decode()

    assert re.search(
        r'<a class="fr-nav__link" href="/depots/a-publier/" aria-current="page">', html
    )
    assert re.search(r'<a class="fr-nav__link" href="/depots/">', html)


def test_favicon_ico_answers_the_dsfr_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert re.fullmatch(r"/static/dsfr/dist/favicon/favicon\.[0-9a-f]+\.ico", response["Location"])
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_each_page_keeps_its_own_links_in_the_frame_shared_by_all(client, about_page):
    """The header, menu and footer are rendered once per language and section
    ({% frame %}): the current section, the language links and the guide pages stay each
    page's own, whatever was shown before."""
    from editorial.guides import forget_linked_pages
    from editorial.models import GuidePage

    html_of(client, "/depots/?q=python")
    organisations = html_of(client, "/organisations/?q=%C3%A9cole")
    assert re.findall(
        r'class="fr-nav__link" href="([^"]+)" aria-current="page"', organisations
    ) == ["/organisations/"]
    # The header's and the footer's language links: this page, its words kept.
    assert organisations.count('href="/en/organisations/?q=%C3%A9cole"') == 2

    english = html_of(client, "/en/depots/?q=donn%C3%A9es")
    assert re.findall(r'class="fr-nav__link" href="([^"]+)" aria-current="page"', english) == [
        "/en/depots/"
    ]
    assert english.count('href="/depots/?q=donn%C3%A9es"') == 2
    assert "Log in" in english and "Se connecter" not in english

    # A guide page an editor places in the menu shows on the next page.
    GuidePage.objects.create(
        title="Publier son code",
        slug="publier-son-code",
        status=GuidePage.Status.PUBLISHED,
        placement=GuidePage.Placement.NAVIGATION,
        order=9,
    )
    forget_linked_pages()
    assert 'href="/guides/publier-son-code/">Publier son code</a>' in html_of(client, "/depots/")


def test_language_links_of_a_page_with_a_long_address(client):
    from tests.factories import RepositoryFactory

    repository = RepositoryFactory(
        name="n" * 120, full_path="groupe/" + "sous-groupe/" * 25 + "n" * 120
    )
    url = repository.get_absolute_url()
    assert len(url) > 300

    html = html_of(client, url)

    assert html.count(f'href="/en{url}"') == 2
    assert html_of(client, f"/en{url}").count(f'href="{url}"') == 2


def test_a_template_edited_under_the_development_server_shows_on_the_next_page(client):
    """The development server reloads templates and translations without a new process:
    the frame rendered before is forgotten, and the reload goes on as usual."""
    from pathlib import Path

    from django.utils.autoreload import file_changed

    from core.templatetags import frame_tags

    html_of(client, "/")
    assert frame_tags._RENDERED

    answers = file_changed.send(sender=None, file_path=Path("templates/blocks/header.html"))

    assert not frame_tags._RENDERED
    assert (frame_tags.forget_frames, None) in answers
