"""Filters, sorts and facet counts of the contributions and of the unpublished code."""

import django_filters
from django.utils.translation import gettext_lazy as _

from catalog.filters import PublicBodyFilter, public_body_label
from contributions.enums import ContributionKind
from contributions.models import Contribution, UnpublishedCode
from core.filters import SearchableFilterSet
from core.search import json_list_contains, json_list_counts

SORTS = {
    "recent": ("-started_on", "-id"),
    "oldest": ("started_on", "id"),
    "project": ("project_name", "-started_on", "id"),
}
SORT_LABELS = {
    "recent": _("Plus récentes"),
    "oldest": _("Plus anciennes"),
    "project": _("Nom du projet"),
}


class ContributionFilter(SearchableFilterSet):
    kind = django_filters.ChoiceFilter(choices=ContributionKind.choices, label=_("Nature"))
    public_body = PublicBodyFilter(field_name="public_body", label=_("Organisme public"))
    ministry = PublicBodyFilter(field_name="public_body", ministry=True, label=_("Ministère"))
    project = django_filters.CharFilter(field_name="project_key", label=_("Projet"))
    year = django_filters.NumberFilter(
        field_name="started_on",
        lookup_expr="year",
        min_value=1970,
        max_value=9999,
        label=_("Année"),
    )

    value_labels = {"public_body": public_body_label, "ministry": public_body_label}

    sorts, sort_labels, default_sort = SORTS, SORT_LABELS, "recent"

    class Meta(SearchableFilterSet.Meta):
        model = Contribution


def public_body_facet(rows):
    """[(slug, count, name)] of rows of public body counts; a body without a name has no
    slug and is left out."""
    return [
        (row["public_body__slug"], row["n"], row["public_body__name"])
        for row in rows
        if row["public_body__slug"]
    ]


def contribution_facets(queryset, *, limit=10):
    """{facet: [(value, count, label)]} over the current result set."""
    plain = queryset.order_by()
    return {
        "kind": plain.counts_by_kind(),
        "public_body": public_body_facet(
            plain.exclude(public_body=None).counts_by_public_body()[:limit]
        ),
        "ministry": [
            (r["ministry_slug"], r["n"], r["ministry_name"])
            for r in plain.counts_by_ministry()[:limit]
        ],
        "project": [(r["project_key"], r["n"], r["name"]) for r in plain.projects()[:limit]],
        "year": plain.counts_by_year(),
    }


# --- Unpublished code ---------------------------------------------------------------------


class UnpublishedCodeFilter(SearchableFilterSet):
    public_body = PublicBodyFilter(field_name="public_body", label=_("Organisme public"))
    technology = django_filters.CharFilter(method="filter_technology", label=_("Technologie"))

    value_labels = {"public_body": public_body_label}

    sorts, default_sort = {"planned": ("planned_on", "name", "pk")}, "planned"

    class Meta(SearchableFilterSet.Meta):
        model = UnpublishedCode

    def filter_technology(self, queryset, name, value):
        return queryset.filter(json_list_contains("technologies", value.strip()))


def unpublished_facets(queryset, *, limit=10):
    plain = queryset.order_by()
    bodies = plain.exclude(public_body=None).counts_by_public_body()[:limit]
    return {
        "public_body": public_body_facet(bodies),
        "technology": [
            (value, n, value) for value, n in json_list_counts(plain, "technologies", limit)
        ],
    }
