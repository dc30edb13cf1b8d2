from functools import lru_cache
from html import escape

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import translate_url
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from core.templatetags.core_tags import number

register = template.Library()


# Longer paths are translated each time: the cache must not hold what a visitor sends.
PATH_IN_CACHED_LENGTH = 300


def path_in(path: str, language: str) -> str:
    """`path` in `language` (translate_url resolves then reverses it: ~0.3 ms; every search
    of /depots/ shares its path)."""
    if len(path) > PATH_IN_CACHED_LENGTH:
        return translate_url(path, language)
    return _cached_path_in(path, language)


@lru_cache(maxsize=2048)
def _cached_path_in(path: str, language: str) -> str:
    return translate_url(path, language)


@receiver(setting_changed)
def forget_translated_paths(**kwargs) -> None:
    """A test's other URLconf or languages translate paths afresh."""
    _cached_path_in.cache_clear()


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in every language of the site, the current one marked.

    French pages live at the root and English ones under /en/ (i18n_patterns), so each
    link is a plain URL: it works without JavaScript and search engines can follow it.
    """
    current = get_language()
    path, mark, query = context["request"].get_full_path().partition("?")
    return [
        {
            "code": code,
            "name": name,
            "url": path_in(path, code) + mark + query,
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def page_links(context, page_obj) -> dict:
    """The pagination's addresses, as {% querystring page=… %} writes them (the other
    parameters kept, `page` removed for the first page): "first", "previous", "next",
    "last", and "pages", the numbered items [{number, url, title, current, ellipsis}].

    The query string is copied twice per pagination, not once per link, and each title
    translated here: the template's tags took ~0.9 ms of every listing page."""
    query = context["request"].GET
    without = query.copy()
    without.pop("page", None)
    first = f"?{without.urlencode()}" if (without or query) else ""
    params = query.copy()

    def url(number) -> str:
        params["page"] = number
        return f"?{params.urlencode()}"

    paginator = page_obj.paginator
    pages = []
    for page in paginator.get_elided_page_range(page_obj.number):
        if page == paginator.ELLIPSIS:
            pages.append({"ellipsis": True})
            continue
        current = page == page_obj.number
        pages.append(
            {
                "number": page,
                "url": "" if current else url(page),
                "title": gettext("Page %(number)s") % {"number": page},
                "current": current,
            }
        )
    return {
        "first": first,
        "previous": url(page_obj.previous_page_number()) if page_obj.has_previous() else "",
        "next": url(page_obj.next_page_number()) if page_obj.has_next() else "",
        "last": url(paginator.num_pages),
        "pages": pages,
    }


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
def facet_items(context, name, values, current):
    """The <li> links of a facet's `values` ((value, count, label)): each link is
    query_with(name, value), the current value's removes it. The query string is copied
    once per facet, and the items are written here rather than by a template loop: a
    listing shows some fifty, which took milliseconds on every uncached search."""
    base = _query_without(context, name).urlencode()
    without = f"?{base}" if base else "?"
    prefix = f"?{base}&" if base else "?"
    current = "" if current is None else str(current)
    items = []
    for value, count, label in values:
        selected = str(value) == current
        url = without if selected else prefix + urlencode({name: value})
        aria = ' aria-current="true"' if selected else ""
        items.append(
            f'<li><a class="fr-link fr-link--sm"{aria} href="{escape(url)}">{escape(str(label))} '
            f'<span class="fr-badge fr-badge--sm">{number(count)}</span></a></li>'
        )
    return mark_safe("\n".join(items))  # noqa: S308 (every value is escaped above)


@register.simple_tag
def filter_options(values, current):
    """The <option>s of a filter select: a facet's `values` ((value, count, label)) with
    their counts, and the value in use when it is not among them (a shared link to a rare
    value keeps showing what filters the page). Built here rather than by a template loop:
    a select of a few hundred values took milliseconds on every uncached search."""
    current = "" if current is None else str(current)
    parts = []
    found = False
    for value, count, label in values:
        selected = str(value) == current
        found = found or selected
        parts.append(_option(value, label, count, selected))
    if current and not found:
        parts.append(_option(current, current, None, True))
    return mark_safe("".join(parts))  # noqa: S308 (every value is escaped by _option)


def _option(value, label, count, selected) -> str:
    # The standard library's escape gives what Django's does, at a fraction of its cost;
    # counts are integers, written as {{ count }} writes them (no thousands separator).
    counted = "" if count is None else f" ({int(count)})"
    chosen = " selected" if selected else ""
    return f'<option value="{escape(str(value))}"{chosen}>{escape(str(label))}{counted}</option>'
