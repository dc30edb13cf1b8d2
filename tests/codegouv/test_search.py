"""The search of the whole portal: /recherche/ shows the first repositories, SILL software
and organisations found, each group with its total and a link to its full listing."""

import re
from html import unescape

import pytest

from catalog.search import update_search_vectors
from catalog.services.counts import refresh_owner_counts
from sill.importer import import_sill, read_source
from tests.factories import OwnerFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


def group(html: str, key: str) -> str:
    """The HTML of one group's section."""
    start = html.index(f'aria-labelledby="search-{key}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def demo_like():
    """As in the demo: the 2022 SILL, a repository about LibreOffice and an archived one."""
    import_sill(text=read_source(None))
    etalab = OwnerFactory(path="etalab", name="Etalab")
    RepositoryFactory(
        owner=etalab,
        name="documentation-libreoffice",
        description="Documentation pour LibreOffice rédigée par un ministère",
    )
    RepositoryFactory(owner=etalab, name="libreoffice-ancien", archived=True)
    RepositoryFactory(owner=etalab, name="autre-chose", description="Sans rapport")
    update_search_vectors()
    refresh_owner_counts()


def test_libreoffice_from_the_home_page_finds_the_sill_entry_and_the_listings(client, demo_like):
    home = client.get("/").content.decode()
    assert '<form method="get" action="/recherche/" role="search">' in home

    response = client.get("/recherche/", {"q": "LibreOffice"})

    assert response.status_code == 200
    html = unescape(response.content.decode())
    software = group(html, "software")
    assert '<a href="/sill/libreoffice/">LibreOffice</a>' in software
    titles = re.findall(r'<h3 class="fr-card__title"><a href="[^"]+">([^<]+)</a>', software)
    assert titles[0] == "LibreOffice" and "Grammalecte" in titles
    assert f'href="/sill/?q=LibreOffice">Voir les {len(titles)} logiciels' in software
    # The repositories' total is the one /depots/ shows: the archived one is left out there.
    repositories = group(html, "repositories")
    assert "etalab/documentation-libreoffice" in repositories
    assert "libreoffice-ancien" not in repositories
    assert 'href="/depots/?q=LibreOffice">Voir le dépôt' in repositories
    listing = client.get("/depots/", {"q": "LibreOffice"}).content.decode()
    assert "etalab/documentation-libreoffice" in listing and "libreoffice-ancien" not in listing
    assert "Aucune organisation ne correspond." in group(html, "owners")


def test_organisations_are_found_with_a_link_to_their_list(client, demo_like):
    html = unescape(client.get("/recherche/?q=etalab").content.decode())

    owners = group(html, "owners")
    assert '<a href="/organisations/github.com/etalab/">Etalab</a>' in owners
    assert 'href="/organisations/?q=etalab">Voir l’organisation' in owners
    assert "Aucun logiciel du SILL ne correspond." in group(html, "software")


def test_the_page_exists_in_english_and_is_not_indexed(client, demo_like):
    response = client.get("/en/recherche/?q=LibreOffice")

    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in response.content.decode()


@pytest.mark.parametrize(
    ("q", "shown"),
    [
        ("", None),
        ("   ", None),
        ("\x00\x01\x1b", None),
        ("\u202e\u200b", None),  # invisible format characters only
        ("Libre\u202eOffice", "LibreOffice"),
        ("é" * 5000, "é" * 200),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('"unterminated -!&|:* ()', "&quot;unterminated -!&amp;|:* ()"),
    ],
)
def test_empty_or_hostile_searches_get_a_page_never_an_error(client, demo_like, q, shown):
    response = client.get("/recherche/", {"q": q})

    assert response.status_code == 200
    html = response.content.decode()
    if shown is None:
        assert "Saisissez un ou plusieurs mots" in html
        assert "search-repositories" not in html
    else:
        assert f"Résultats pour « {shown} »" in html
        assert "search-software" in html


def test_the_number_of_queries_does_not_grow_with_the_matches(
    client, django_assert_max_num_queries, warm_navigation_cache
):
    def add(n):
        for _ in range(n):
            owner = OwnerFactory(name="Bureau des données")
            RepositoryFactory(owner=owner, description="Outil de bureautique")
        import_sill(text=read_source(None))
        update_search_vectors()
        refresh_owner_counts()

    add(3)
    with django_assert_max_num_queries(15) as first:
        assert client.get("/recherche/?q=bureau").status_code == 200
    add(6)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/recherche/?q=bureau").status_code == 200
