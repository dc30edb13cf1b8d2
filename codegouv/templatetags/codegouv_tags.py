from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.http import urlencode
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in every language of the site, the current one marked.

    French pages live at the root and English ones under /en/ (i18n_patterns), so each
    link is a plain URL: it works without JavaScript and search engines can follow it.
    """
    request = context["request"]
    current = get_language()
    return [
        {
            "code": code,
            "name": name,
            "url": translate_url(request.get_full_path(), code),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def query_with(context, name, value=None):
    """The current query string with `name` set to `value` (removed when None), back to page 1.

    Unlike Django's {% querystring %}, the parameter name can be a variable.
    """
    params = _query_without(context, name)
    if value is not None and value != "":
        params[name] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _query_without(context, name):
    """A copy of the request's query without `name`, back to page 1."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    params.pop(name, None)
    return params


@register.simple_tag(takes_context=True)
def facet_links(context, name, values, current):
    """[{url, label, count, current}] of a facet's `values` ((value, count, label)): each
    link is query_with(name, value), the current value's removes it; the query string is
    copied once per facet, not once per value (a listing shows some fifty)."""
    base = _query_without(context, name).urlencode()
    without = f"?{base}" if base else "?"
    prefix = f"?{base}&" if base else "?"
    current = "" if current is None else str(current)
    return [
        {
            "url": without if str(value) == current else prefix + urlencode({name: value}),
            "label": label,
            "count": count,
            "current": str(value) == current,
        }
        for value, count, label in values
    ]


@register.simple_tag
def facet_options(values, current):
    """[{value, label, count, selected}] of a filter select: a facet's `values` ((value,
    count, label)), and the value in use when it is not among them (a shared link to a rare
    value keeps showing what filters the page)."""
    current = "" if current is None else str(current)
    options = [
        {"value": value, "label": label, "count": count, "selected": str(value) == current}
        for value, count, label in values
    ]
    if current and not any(option["selected"] for option in options):
        options.append({"value": current, "label": current, "count": None, "selected": True})
    return options
