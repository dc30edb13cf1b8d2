"""The listing skeleton every list page shares (repositories, organisations, SILL,
contributions, unpublished code): bind the filters → sort → CSV/JSON export → paginate →
one context. Each page hands in its FilterSet, sorts, template and hooks; nothing here knows
a model of the project.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from core.facets import PageWanted
from core.search import clean_query

PER_PAGE_CHOICES = (20, 50, 100)
# The pages of a search whose ids the summary's statement gives: deeper ones (and pages past
# the end, a 404 from the count alone) would make it sort every match rather than keep the
# first ones (a top-N sort): rows_of_page reads them.
PAGES_FROM_SUMMARY = 10
EXPORT_FORMATS = ("csv", "json")
# Characters of a download's name given to its filters (before the date and extension).
EXPORT_NAME_FILTERS_MAX = 80


def page_size(request, default: int = 20) -> int:
    """The `per_page` parameter when it is one of PER_PAGE_CHOICES, else `default`."""
    try:
        per_page = int(request.GET.get("per_page", default))
    except ValueError:
        return default
    return per_page if per_page in PER_PAGE_CHOICES else default


def page_wanted(request, order, per_page: int) -> PageWanted | None:
    """The page `paginate` will show (`page=abc` is page 1, as there), as core.facets.
    summarize reads it; None past the first PAGES_FROM_SUMMARY pages, below page 1 (a 404
    from paginate) or when `order` holds expressions."""
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        number = 1
    if not 1 <= number <= PAGES_FROM_SUMMARY:
        return None
    if not all(isinstance(field, str) for field in order):
        return None
    return PageWanted(order=tuple(order), offset=(number - 1) * per_page, limit=per_page)


def paginate(request, queryset, *, per_page_default=20, count=None):
    """(page, per_page): `page=abc` gives page 1; a page past the end is a 404.

    `count`, when given, saves the COUNT(*) query (a cached total)."""
    per_page = page_size(request, per_page_default)
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached_property
    try:
        return paginator.page(request.GET.get("page") or 1), per_page
    except PageNotAnInteger:
        return paginator.page(1), per_page
    except EmptyPage:
        if request.GET.get("page") and paginator.count:
            raise Http404(_("Cette page de résultats n’existe pas.")) from None
        return paginator.page(1), per_page


def rows_of_page(page, shown, ids=None) -> None:
    """Replace `page`'s rows by the same rows read from `shown`, in two steps: the ids of
    the page alone (a narrow sort over the filtered rows), then those rows with everything
    a card shows, by primary key. `ids`: the page's ids when the summary's statement gave
    them already.

    One statement would carry every shown column of every matching row through the sort
    and join the related tables for all of them (8 ms for a 325-match search at 100,000
    repositories, against under 2 ms for both steps). See ADR 0013.
    """
    if ids is None:
        ids = list(page.object_list.values_list("pk", flat=True))
    found = shown.order_by().in_bulk(ids)
    page.object_list = [found[pk] for pk in ids if pk in found]


def bind_filters(filterset_class, params, queryset):
    """(bound filterset, filtered queryset) for GET `params`.

    Invalid values (a non-number for an id, an unknown choice) are ignored, so a
    hand-edited URL still shows a listing.
    """
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        valid = {k: v for k, v in params.items() if k not in filterset.errors}
        filterset = filterset_class(valid, queryset=queryset)
        filterset.is_valid()
    return filterset, filterset.qs


def searched_text(filterset) -> str:
    """The search the filterset applied ("" when none): what decides the relevance sort,
    never the raw parameter, which the form may have refused."""
    data = getattr(filterset.form, "cleaned_data", {})
    return clean_query(data.get("q") or "")


def sort_order(
    params, *, sorts: dict, default: str, searching: bool = False
) -> tuple[str, tuple[str, ...]]:
    """(key, order) of the `sort` parameter among `sorts`: relevance first when searching
    (if `sorts` has it), else `default`; an unknown sort is the same as none."""
    preferred = "relevance" if searching and "relevance" in sorts else default
    key = params.get("sort") or preferred
    if key not in sorts or (key == "relevance" and not searching):
        key = preferred
    return key, sorts[key]


def active_filters(filterset):
    """[{name, label, value, raw}] of the filters in use, for the removable tags.

    `value` is readable: a choice's label, "oui"/"non", or what the FilterSet's
    ``value_labels`` ({name: function(value) → text}) says — a public body's name rather than
    its id; `raw` is what the URL said (hidden fields keep the filter on a new search).
    """
    form = filterset.form
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    labels = getattr(filterset, "value_labels", {})
    active = []
    for name, form_field in form.fields.items():
        value = data.get(name)
        if name == "q" or value in (None, ""):
            continue
        shown = value
        if name in labels:
            shown = labels[name](value)
        elif isinstance(form_field, forms.ChoiceField):
            shown = dict(form_field.choices).get(value, value)
        elif isinstance(value, bool):
            shown = gettext("oui") if value else gettext("non")
        elif isinstance(value, Decimal):
            # A number filter: 2024, not 2024 written as a decimal.
            whole = value == value.to_integral_value() or (
                getattr(filterset.filters.get(name), "lookup_expr", "") == "year"
            )
            shown = int(value) if whole else value
        active.append(
            {
                "name": name,
                "label": form_field.label,
                "value": shown,
                "raw": form.data.get(name, ""),
            }
        )
    return active


def export_filename(stem: str, filters, fmt: str, *, day=None) -> str:
    """The name of a listing's download: `stem`, its filters, the day, `fmt`.

    ``depots-langage-python-2026-12-05.csv``: each filter of `filters` (what active_filters
    gives, plus the search) as its label then its value, in the form's order, slugified to
    ASCII; the filters' part is cut at a word boundary after EXPORT_NAME_FILTERS_MAX
    characters, so any name fits a file system."""
    words = slugify(" ".join(f"{item['label']} {item['value']}" for item in filters))
    if len(words) > EXPORT_NAME_FILTERS_MAX:
        words = words[: EXPORT_NAME_FILTERS_MAX + 1].rsplit("-", 1)[0]
    day = day or timezone.localdate()
    return "-".join(part for part in (slugify(stem), words, day.isoformat()) if part) + f".{fmt}"


def export_filters(filterset, query: str) -> list[dict]:
    """The filters a download's name tells: the search first, then the active filters."""
    searched = [{"label": gettext("recherche"), "value": query}] if query else []
    return searched + active_filters(filterset)


def sort_select_options(sorts, sort: str, per_page: int) -> dict:
    """The options of components/sort_select.html: [(value, text, selected)] of the sorts
    and of the page sizes, their texts translated here (a {% blocktranslate %} per option
    cost 1.4 ms of every listing)."""
    return {
        "sort_options": [
            (key, gettext("Trier par : %(label)s") % {"label": label}, key == sort)
            for key, label in sorts
        ],
        "per_page_options": [
            (choice, gettext("%(choice)s par page") % {"choice": choice}, choice == per_page)
            for choice in PER_PAGE_CHOICES
        ],
    }


@dataclass
class Listing:
    """What one list page hands to the skeleton.

    The FilterSet names its sorts: ``sorts`` ({key: order}), ``sort_labels`` ({key: label},
    what the visitor may choose) and ``default_sort``. ``export(queryset, fmt, request,
    name_parts=…)`` answers ``?format=csv|json`` with the filtered rows in the page's
    order (`name_parts`: the search and filters in use, for the file's name:
    export_filename);
    ``facets(queryset)`` may read a cache; ``summary(filterset)``, when given, replaces it
    and gives the count too: {"count", "facets", …}, every other entry added to the context.
    With ``page_by_ids`` it is called ``summary(filterset, page=…)`` (a core.facets.
    PageWanted for one of a search's first pages, else None) and may give "page_ids", the
    ids of that page when it computed them in the same statement (a summary read from the
    cache gives none).
    Rows are shown with the QuerySet's ``for_list()``, or the method named ``shown``.
    """

    filterset_class: type
    template: str
    rows_name: str
    export: Callable | None = None
    facets: Callable | None = None
    summary: Callable | None = None
    # Read the page's rows in two steps (see rows_of_page): for large, wide tables.
    page_by_ids: bool = False
    # The QuerySet method reading the rows as the page shows them.
    shown: str = "for_list"

    def response(self, request, queryset, *, context=None):
        filterset, rows = bind_filters(self.filterset_class, request.GET, queryset)
        query = searched_text(filterset)
        sorts = self.filterset_class.sorts
        sort, order = sort_order(
            request.GET,
            sorts=sorts,
            default=self.filterset_class.default_sort,
            searching=bool(query),
        )
        fmt = request.GET.get("format")
        if self.export is not None and fmt in EXPORT_FORMATS:
            name_parts = export_filters(filterset, query)
            return self.export(rows.order_by(*order), fmt, request, name_parts=name_parts)
        wanted = None
        if self.page_by_ids and query:
            # A search's page comes from the summary's statement when it is computed (its
            # matches are sorted with no index to follow; without words, the listing's
            # sorts walk an index in a millisecond, and the page is read apart). The
            # primary key last: ties (a path on two forges) in one order whichever
            # statement reads the page.
            order = (*order, "pk")
            wanted = page_wanted(request, order, page_size(request))
        if not self.summary:
            summary = {}
        elif self.page_by_ids:
            summary = dict(self.summary(filterset, page=wanted))
        else:
            summary = dict(self.summary(filterset))
        total = summary.pop("count", None)
        page_ids = summary.pop("page_ids", None)
        if self.page_by_ids:
            page, per_page = paginate(request, rows.order_by(*order), count=total)
            if wanted is None or page.number != wanted.offset // per_page + 1:
                page_ids = None  # not the page paginate shows
            # By primary key from the unfiltered rows: the search is not run a second time.
            rows_of_page(page, getattr(queryset, self.shown)(), page_ids)
        else:
            shown = getattr(rows, self.shown)()
            page, per_page = paginate(request, shown.order_by(*order), count=total)
        if not self.summary:
            summary["facets"] = self.facets(rows) if self.facets else {}
        facets = summary.pop("facets")
        sorts_offered = [
            (key, label)
            for key, label in getattr(self.filterset_class, "sort_labels", {}).items()
            if key != "relevance" or query
        ]
        return render(
            request,
            self.template,
            {
                "filterset": filterset,
                "page_obj": page,
                self.rows_name: page.object_list,
                "facets": facets,
                "active_filters": active_filters(filterset),
                "query": query,
                "sort": sort,
                "sorts": sorts_offered,
                "per_page": per_page,
                **sort_select_options(sorts_offered, sort, per_page),
                **summary,
                **(context or {}),
            },
        )
