"""The filters of /depots/ as a newcomer meets them: values to pick with their counts, a
one-click free-licence filter, unknown licences said plainly, no "(Optionnel)" nor dashes."""

import re

import pytest

from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


def result_count(html):
    return int(re.sub(r"\D", "", re.search(r'id="result-count">([^<]+)<', html).group(1)))


def facet(html, name):
    return re.search(rf'id="facet-{name}">.*?</section>', html, re.S).group(0)


def facet_links(html, name):
    """[(label, count, href)] of a facet's links."""
    return [
        (label.strip(), int(count), href.replace("&amp;", "&"))
        for href, label, count in re.findall(
            r'<a class="fr-link fr-link--sm"[^>]*href="([^"]+)">([^<]+)'
            r'<span class="fr-badge fr-badge--sm">(\d+)</span>',
            facet(html, name),
        )
    ]


def select_options(html, name):
    """[(value, text, selected)] of a filter select."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [
        (value, text.strip(), bool(selected))
        for value, selected, text in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select
        )
    ]


@pytest.fixture
def licences():
    for spdx, n in (("MIT", 3), ("GPL-3.0-only", 2), ("NOASSERTION", 4), ("Unlicense", 1)):
        for _ in range(n):
            RepositoryFactory(license_spdx=spdx, language="Python" if n != 2 else "Go")


def test_the_licence_facet_leads_with_free_licences_and_says_unknown_plainly(client, licences):
    html = client.get("/depots/").content.decode()

    links = facet_links(html, "license")
    # MIT, GPL-3.0-only and the Unlicense are free: 3 + 2 + 1.
    assert links[:2] == [
        ("Licence libre", 6, "?license=free"),
        ("Non renseignée", 4, "?license=none"),
    ]
    assert ("MIT", 3, "?license=MIT") in links
    assert "NOASSERTION" not in html

    # The count each link promises is the count of the page it leads to.
    for label, count, href in links:
        assert result_count(client.get(f"/depots/{href}").content.decode()) == count, label


def test_the_cached_facets_speak_the_language_of_each_visitor(client, licences):
    # The French page computes and caches the summary; the English one reads it.
    assert facet_links(client.get("/depots/").content.decode(), "license")[0][0] == (
        "Licence libre"
    )

    html = client.get("/en/depots/").content.decode()

    assert [label for label, _n, _href in facet_links(html, "license")[:2]] == [
        "Free licence",
        "Not specified",
    ]
    assert "Licence libre" not in html


def test_python_and_free_licence_in_two_clicks(client, licences):
    html = client.get("/depots/").content.decode()
    python = {label: href for label, _n, href in facet_links(html, "language")}["Python"]

    html = client.get(f"/depots/{python}").content.decode()
    free = facet_links(html, "license")[0]
    assert free[:2] == ("Licence libre", 4)  # MIT 3 + Unlicense 1, all in Python

    html = client.get(f"/depots/{free[2]}").content.decode()
    assert result_count(html) == 4
    assert re.search(r"Retirer le filtre[^<]*Licence libre", html)


def test_bounded_filters_are_selects_of_the_values_found_with_their_counts(client, licences):
    html = client.get("/depots/?language=Python").content.decode()

    assert select_options(html, "language")[:2] == [
        ("", "Tous", False),
        ("Python", "Python (8)", True),
    ]
    assert select_options(html, "license")[:3] == [
        ("", "Toutes", False),
        ("free", "Licence libre (4)", False),
        ("none", "Non renseignée (4)", False),
    ]
    # No free-text box for values the visitor would have to guess.
    for name in ("language", "license", "forge", "topic", "ministry", "public_body", "owner"):
        assert not re.search(rf'<input[^>]*name="{name}"', html), name


def test_a_value_outside_the_offered_ones_stays_selected(client, licences):
    html = client.get("/depots/?language=Brainfuck").content.decode()

    assert ("Brainfuck", "Brainfuck", True) in select_options(html, "language")


def test_a_hostile_value_in_use_is_written_escaped_in_its_select(client, licences):
    html = client.get("/depots/", {"topic": '"><script>alert(1)</script>'}).content.decode()

    assert "<script>alert(1)" not in html
    assert (
        '<option value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" selected>'
        "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</option>"
    ) in html


def test_no_optional_marks_nor_dashes_in_the_filters(client, licences):
    html = client.get("/depots/").content.decode()

    assert "Optionnel" not in html and "(optional)" not in html.lower()
    assert "---------" not in html
    assert select_options(html, "archived") == [
        ("", "Masqués", True),
        ("include", "Affichés avec les autres", False),
        ("only", "Seulement les archivés", False),
    ]


def test_filters_sit_in_a_panel_a_phone_opens_with_a_button(client, licences):
    html = client.get("/depots/?language=Python").content.decode()

    button = re.search(
        r'<button type="button" class="fr-sidemenu__btn"[^>]*>([^<]*)</button>', html
    )
    assert 'aria-controls="listing-filters"' in button.group(0)
    assert button.group(1) == "Filtrer les résultats (1 filtre actif)"
    assert 'class="fr-collapse" id="listing-filters"' in html
    # Without JavaScript the panel cannot open: a stylesheet in <noscript> shows it open.
    assert re.search(
        r"<noscript><link rel=\"stylesheet\" href=\"[^\"]*nojs[^\"]*\.css\"></noscript>", html
    )
