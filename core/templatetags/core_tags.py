"""Filters every template may use on data from outside."""

from django import template
from django.template.defaultfilters import stringfilter, truncatechars
from django.utils import formats

from core.text import safe_url as _safe_url

register = template.Library()


@register.filter
def safe_url(value) -> str:
    """An http(s) URL to put in an `href`, or "" (see core.text.safe_url): use it as
    `{% with url=value|safe_url %}{% if url %}<a href="{{ url }}">…{% endif %}`."""
    return _safe_url(value)


@register.filter
def number(value) -> str:
    """A count as the page's language writes it: "9 066" in French, "9,066" in English.

    For text only: a number in an address, an attribute or an export stays plain."""
    if value is None or value == "":
        return ""
    return formats.number_format(value, force_grouping=True)


@register.filter(is_safe=True)
@stringfilter
def shorten(value: str, length) -> str:
    """Django's truncatechars, without its scan of every character when the text fits
    already (most descriptions of a listing's cards: ~50 µs each). Stored text is NFC
    already (core.text.clean_text), which truncatechars would otherwise make it."""
    try:
        if len(value) <= int(length):
            return value
    except ValueError:
        return value
    return truncatechars(value, length)
