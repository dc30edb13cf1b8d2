"""The SILL listing as a newcomer sees it: logos and counts on the cards, and a relevance
sort that puts the software where the words are found, then the most used, first."""

import re

import pytest
from django.utils import timezone

from sill.importer import import_sill, read_source, update_search_vectors
from sill.models import ExternalValue, Software
from tests.factories import DeclarationFactory, SoftwareFactory

pytestmark = pytest.mark.django_db


def listed(response):
    return re.findall(
        r'<h3 class="fr-card__title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def card_of(html: str, name: str) -> str:
    """The HTML of the card whose title is `name`."""
    cards = html.split('<div class="fr-mb-2w codegouv-card">')[1:]
    return next(card for card in cards if f">{name}</a></h3>" in card)


def declare(software, *, users=0, referents=0, pending=0):
    for _ in range(users):
        DeclarationFactory(software=software)
    for _ in range(referents):
        DeclarationFactory(software=software, referent=True)
    for _ in range(pending):
        DeclarationFactory(software=software, pending=True)


def wikidata_logo(software, url):
    ExternalValue.objects.create(
        software=software, source="wikidata", field="logo", value=url, fetched_at=timezone.now()
    )


@pytest.fixture
def office():
    """The newcomer's case: an extension that says "bureautique" in its function and its
    category, and the office suite that says it once but that more agents use."""
    grammalecte = SoftwareFactory(
        name="Grammalecte",
        slug="grammalecte",
        function="Correcteur grammatical pour la suite bureautique LibreOffice",
        category="Bureautique",
        keywords=["grammaire", "bureautique"],
    )
    libreoffice = SoftwareFactory(
        name="LibreOffice",
        slug="libreoffice",
        function="Suite bureautique",
        category="Consultation et édition de documents",
        description_fr="Traitement de texte, tableur, présentations.",
    )
    declare(grammalecte, users=1)
    declare(libreoffice, users=4, referents=1)
    update_search_vectors()
    return grammalecte, libreoffice


def test_the_most_used_comes_first_among_software_found_alike(client, office):
    # PostgreSQL's ts_rank alone counts occurrences: the extension would come first.
    by_rank = Software.objects.search("bureautique").order_by("-rank")
    assert [software.name for software in by_rank] == ["Grammalecte", "LibreOffice"]

    assert listed(client.get("/sill/?q=bureautique")) == ["LibreOffice", "Grammalecte"]
    # The same order whatever the case and accents of the search.
    assert listed(client.get("/sill/?q=BUREAUTIQUE")) == ["LibreOffice", "Grammalecte"]


def test_a_name_that_matches_comes_before_a_more_used_software_that_mentions_it(client, office):
    _grammalecte, libreoffice = office
    libreoffice.description_fr = "Avec Grammalecte, le correcteur grammatical."
    libreoffice.save()
    update_search_vectors()

    assert listed(client.get("/sill/?q=grammalecte")) == ["Grammalecte", "LibreOffice"]
    assert listed(client.get("/sill/?q=libreoffice")) == ["LibreOffice", "Grammalecte"]


def test_with_the_real_2022_sill_libreoffice_leads_an_office_search(client):
    import_sill(text=read_source(None))
    declare(Software.objects.get(name="LibreOffice"), users=2)
    declare(Software.objects.get(name="Grammalecte", sill_id=56), users=1)

    assert listed(client.get("/sill/?q=bureautique"))[0] == "LibreOffice"
    found = listed(client.get("/sill/?q=libreoffice"))
    assert found[0] == "LibreOffice" and "Grammalecte" in found[1:]


def test_cards_show_published_users_and_referents(client, office):
    _grammalecte, libreoffice = office
    declare(libreoffice, pending=3)  # waiting for moderation: not counted
    SoftwareFactory(name="Nouveau", slug="nouveau")

    html = client.get("/sill/").content.decode()

    assert "4 utilisateurs · 1 référent" in card_of(html, "LibreOffice")
    assert "1 utilisateur · 0 référent" in card_of(html, "Grammalecte")
    # French grammar allows either for zero; the catalogue decides.
    assert re.search(r"0 utilisateurs? · 0 référents?<", card_of(html, "Nouveau"))


def test_cards_show_https_logos_as_decorative_images_and_nothing_else(client):
    SoftwareFactory(name="Avec logo", slug="avec", logo_url="https://example.org/logo.png")
    SoftwareFactory(name="Logo en clair", slug="clair", logo_url="http://example.org/logo.png")
    SoftwareFactory(name="Sans logo", slug="sans", logo_url="")
    from_wikidata = SoftwareFactory(name="Logo Wikidata", slug="wikidata")
    wikidata_logo(from_wikidata, "https://commons.wikimedia.org/wiki/Special:FilePath/Logo.svg")

    html = client.get("/sill/").content.decode()

    logo = card_of(html, "Avec logo")
    assert (
        '<img class="codegouv-card__logo" src="https://example.org/logo.png" alt="" '
        'width="48" height="48" loading="lazy"'
    ) in logo
    # An http image would be mixed content, refused by the CSP's img-src: not shown.
    assert "codegouv-card__logo" not in card_of(html, "Logo en clair")
    assert "codegouv-card__logo" not in card_of(html, "Sans logo")
    assert 'src="https://commons.wikimedia.org/wiki/Special:FilePath/Logo.svg"' in card_of(
        html, "Logo Wikidata"
    )


def test_the_list_reads_counts_and_logos_in_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, warm_navigation_cache
):
    def add(n):
        for i in range(n):
            software = SoftwareFactory(function="Suite bureautique")
            declare(software, users=2, referents=1)
            wikidata_logo(software, f"https://example.org/{i}.png")
        update_search_vectors()

    add(5)
    with django_assert_max_num_queries(12) as first:
        assert client.get("/sill/?q=bureautique").status_code == 200
    add(10)
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get("/sill/?q=bureautique").content.decode()
    assert html.count("2 utilisateurs · 1 référent") == 15
    assert html.count('class="codegouv-card__logo"') == 15


@pytest.mark.parametrize("params", ["sort=users", "sort=referents", "q=bureautique"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_exports_accept_every_sort(client, office, params, fmt):
    response = client.get(f"/sill/?{params}&format={fmt}")

    assert response.status_code == 200
    assert "LibreOffice" in b"".join(response.streaming_content).decode()


def test_the_software_page_shows_its_logo_beside_its_name(client):
    own = SoftwareFactory(name="Avec logo", slug="avec", logo_url="https://example.org/a.png")
    fetched = SoftwareFactory(name="Logo Wikidata", slug="wikidata")
    wikidata_logo(fetched, "https://example.org/w.png")
    plain = SoftwareFactory(name="En clair", slug="clair", logo_url="http://example.org/c.png")

    def page(software):
        return client.get(software.get_absolute_url()).content.decode()

    assert 'class="codegouv-title-logo__img" src="https://example.org/a.png" alt=""' in page(own)
    assert 'src="https://example.org/w.png"' in page(fetched)
    assert "codegouv-title-logo__img" not in page(plain)
