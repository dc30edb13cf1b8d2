"""The text boundary: what outside text becomes once cleaned, and which URLs may be links."""

import pytest

from core.text import clean_line, clean_text, safe_url


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("a\x00b", "ab"),
        ("back\x08space", "backspace"),
        ("esc\x1b[31mred", "esc[31mred"),
        ("del\x7f", "del"),
        ("c1\x85\x9f", "c1"),
        ("xml\ufffe\uffff", "xml"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("lines\r\nand\ttabs\n", "lines\nand\ttabs\n"),
        ("e\u0301te\u0301", "été"),  # NFC
        (None, ""),
        (42, "42"),
    ],
)
def test_clean_text_removes_what_breaks_columns_feeds_and_exports(raw, cleaned):
    assert clean_text(raw) == cleaned


def test_clean_text_bounds_the_length():
    assert clean_text("x" * 20_000) == "x" * 10_000
    assert clean_text("abcdef", max_length=3) == "abc"


def test_clean_line_makes_one_trimmed_line():
    assert (
        clean_line("  une\x00 recherche\n\tsur   deux lignes ") == "une recherche sur deux lignes"
    )
    assert clean_line("x" * 2000) == "x" * 1000


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("https://code.gouv.fr/sources", "https://code.gouv.fr/sources"),
        ("http://example.fr:8080/a?b=c#d", "http://example.fr:8080/a?b=c#d"),
        ("  https://example.fr  ", "https://example.fr"),
        # Scheme-less values that are host names become https links.
        ("charles.perin.free.fr/atable/", "https://charles.perin.free.fr/atable/"),
        ("www.inria.fr", "https://www.inria.fr"),
        # Everything else is no link at all.
        ("javascript:alert(document.domain)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        (" javascript:alert(1)", ""),
        ("java\x00script:alert(1)", ""),
        ("data:text/html;base64,PHNjcmlwdD4=", ""),
        ("vbscript:msgbox", ""),
        ("http:/griotte.erasme.org", ""),
        ("//evil.example/", ""),
        ("/depots/", ""),
        ("ftp://ftp.example.fr/", ""),
        ("https://user:pass@example.fr/", ""),
        ("https://example.fr:99999/", ""),
        ("https://", ""),
        ("un texte libre", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_url_keeps_only_http_links(raw, url):
    assert safe_url(raw) == url


def test_shorten_cuts_like_truncatechars_and_leaves_what_fits():
    from django.template.defaultfilters import truncatechars

    from core.templatetags.core_tags import shorten

    fits = "Outil de gestion des données foncières"
    assert shorten(fits, 220) == fits
    assert shorten("x" * 220, 220) == "x" * 220
    long = "Données " * 40
    assert shorten(long, 220) == truncatechars(long, 220)
    assert len(shorten(long, 220)) == 220 and shorten(long, 220).endswith("…")
    assert shorten(fits, "abc") == fits
    assert shorten(None, 10) == "None"
