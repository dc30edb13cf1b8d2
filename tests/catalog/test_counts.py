"""One number of "dépôts" everywhere: visible and not archived, the archived counted apart."""

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from catalog.services.counts import refresh_owner_counts
from tests.factories import ForgeFactory, OwnerFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def betagouv():
    """github.com/betagouv: 3 shown, 2 archived, 1 gone; gitlab's betagouv: 4 shown."""
    owner = OwnerFactory(path="betagouv")
    RepositoryFactory.create_batch(3, owner=owner)
    RepositoryFactory.create_batch(2, owner=owner, archived=True)
    RepositoryFactory(owner=owner, gone=True)
    other = OwnerFactory(path="betagouv", forge=ForgeFactory(gitlab=True))
    RepositoryFactory.create_batch(4, owner=other)
    refresh_owner_counts()
    return owner


def count_line(html: str) -> str:
    match = re.search(r'id="result-count">(.*?)</p>', html, re.S)
    assert match
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def test_owner_list_facet_and_owner_page_agree(client, betagouv):
    listing = client.get("/organisations/?forge=github.com").content.decode()
    assert re.search(r"github\.com</td>.*?<td>3</td>", listing, re.S)

    # The facet counts this owner, not every owner called betagouv, and links to it alone.
    depots = client.get("/depots/").content.decode()
    assert re.search(
        r'href="\?owner=github\.com%2Fbetagouv">github\.com/betagouv '
        r'<span class="fr-badge fr-badge--sm">3</span>',
        depots,
    )
    assert count_line(client.get("/depots/?owner=github.com/betagouv").content.decode()) == (
        "3 dépôts (2 archivés, masqués — les afficher)"
    )

    page = client.get("/organisations/github.com/betagouv/").content.decode()
    assert count_line(page) == "3 dépôts (2 archivés, masqués — les afficher)"
    assert 'href="?archived=include"' in page
    shown = client.get("/organisations/github.com/betagouv/?archived=include").content.decode()
    assert count_line(shown) == "5 dépôts"  # the gone one is never shown


def test_the_listing_and_the_home_page_tell_the_same_total(client, betagouv):
    assert count_line(client.get("/depots/").content.decode()) == (
        "7 dépôts (2 archivés, masqués — les afficher)"
    )
    home = client.get("/").content.decode()
    assert '<p class="fr-h2 fr-mb-0">7</p><p>dépôts de code source' in home
    assert '<a class="fr-link fr-link--sm" href="/depots/?archived=only">et 2 archivés</a>' in home
    only = client.get("/depots/?archived=only").content.decode()
    assert count_line(only) == "2 dépôts"  # the filters chose: nothing said hidden


def test_an_owner_with_archived_repositories_only_counts_none(client):
    owner = OwnerFactory(path="ancien")
    RepositoryFactory(owner=owner, archived=True)
    refresh_owner_counts()
    page = client.get("/organisations/github.com/ancien/").content.decode()
    assert count_line(page) == "0 dépôts (1 archivé, masqué — les afficher)"


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "9\xa0066 · 1\xa0234\xa0567"), ("en", "9,066 · 1,234,567")]
)
def test_counts_are_written_as_the_language_writes_numbers(language, expected):
    template = Template("{% load core_tags %}{{ a|number }} · {{ b|number }}")
    with translation.override(language):
        assert template.render(Context({"a": 9066, "b": 1234567})) == expected
