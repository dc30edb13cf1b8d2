"""Filters every template may use on data from outside."""

from django import template

from core.text import safe_url as _safe_url

register = template.Library()


@register.filter
def safe_url(value) -> str:
    """An http(s) URL to put in an `href`, or "" (see core.text.safe_url): use it as
    `{% with url=value|safe_url %}{% if url %}<a href="{{ url }}">…{% endif %}`."""
    return _safe_url(value)
