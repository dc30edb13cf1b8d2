"""Filters, sorts and facet counts of the contributions and of the unpublished code."""

import django_filters
from django.db.models import Count, Min
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from catalog.filters import FilterForm, id_filter, json_list_contains
from catalog.models import PublicBody
from contributions.enums import ContributionKind
from contributions.models import Contribution, UnpublishedCode

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


class ContributionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Rechercher"))
    kind = django_filters.ChoiceFilter(choices=ContributionKind.choices, label=_("Nature"))
    public_body = id_filter("public_body", _("Organisme public"))
    project = django_filters.CharFilter(field_name="project_key", label=_("Projet"))
    year = django_filters.NumberFilter(
        field_name="started_on",
        lookup_expr="year",
        min_value=1970,
        max_value=9999,
        label=_("Année"),
    )

    class Meta:
        model = Contribution
        fields = []
        form = FilterForm

    def filter_q(self, queryset, name, value):
        return queryset.search(value)


def _bound(filterset_class, params, base):
    """The filterset for `params`, ignoring invalid values (a hand-edited URL still works)."""
    filterset = filterset_class(params, queryset=base)
    if not filterset.is_valid():
        valid = {k: v for k, v in params.items() if k not in filterset.errors}
        filterset = filterset_class(valid, queryset=base)
        filterset.is_valid()
    return filterset, filterset.qs


def filter_contributions(params):
    return _bound(ContributionFilter, params, Contribution.objects.published())


def sort_order(params):
    key = params.get("sort")
    if key not in SORTS:
        key = "recent"
    return key, SORTS[key]


def contribution_facets(queryset, *, limit=10):
    """{facet: [(value, count, label)]} over the current result set."""
    plain = queryset.order_by()
    labels = dict(ContributionKind.choices)
    kinds = plain.values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
    bodies = (
        plain.exclude(public_body=None)
        .values("public_body", "public_body__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "public_body__name")[:limit]
    )
    projects = (
        plain.values("project_key")
        .annotate(name=Min("project_name"), n=Count("pk"))
        .order_by("-n", "name")[:limit]
    )
    years = (
        plain.annotate(year=ExtractYear("started_on"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("-year")
    )
    return {
        "kind": [(r["kind"], r["n"], labels.get(r["kind"], r["kind"])) for r in kinds],
        "public_body": [
            (r["public_body"], r["n"], r["public_body__name"] or _("Organisme sans nom"))
            for r in bodies
        ],
        "project": [(r["project_key"], r["n"], r["name"]) for r in projects],
        "year": [(r["year"], r["n"], r["year"]) for r in years],
    }


def labelled(active, *, filterset):
    """The active filters with readable values: a body's name rather than its id."""
    data = filterset.form.cleaned_data
    for item in active:
        name = item["name"]
        # What the URL said, for the hidden fields that keep the filter on a new search.
        item["raw"] = filterset.form.data.get(name, "")
        if name == "kind":
            item["value"] = dict(ContributionKind.choices).get(data["kind"], data["kind"])
        elif name == "public_body":
            body = PublicBody.objects.filter(pk=data["public_body"]).only("name").first()
            item["value"] = str(body) if body else data["public_body"]
        elif name == "year":
            item["value"] = int(data["year"])
        elif name == "technology" or name == "project":
            item["value"] = data[name]
    return active


# --- Unpublished code ---------------------------------------------------------------------


class UnpublishedCodeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Rechercher"))
    public_body = id_filter("public_body", _("Organisme public"))
    technology = django_filters.CharFilter(method="filter_technology", label=_("Technologie"))

    class Meta:
        model = UnpublishedCode
        fields = []
        form = FilterForm

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_technology(self, queryset, name, value):
        return queryset.filter(json_list_contains("technologies", value.strip()))


def filter_unpublished_code(params, *, user):
    return _bound(UnpublishedCodeFilter, params, UnpublishedCode.objects.visible_to(user))


TECHNOLOGY_SQL = {
    "postgresql": (
        "SELECT t.value, COUNT(*) AS n FROM contributions_unpublishedcode u "
        "CROSS JOIN LATERAL jsonb_array_elements_text(u.technologies::jsonb) AS t(value) "
        "WHERE u.id IN ({ids}) GROUP BY t.value ORDER BY n DESC, t.value LIMIT %s"
    ),
    "sqlite": (
        "SELECT t.value, COUNT(*) AS n FROM contributions_unpublishedcode u, "
        "json_each(u.technologies) t "
        "WHERE u.id IN ({ids}) GROUP BY t.value ORDER BY n DESC, t.value LIMIT %s"
    ),
}


def unpublished_facets(queryset, *, limit=10):
    from django.db import connection

    plain = queryset.order_by()
    bodies = (
        plain.exclude(public_body=None)
        .values("public_body", "public_body__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "public_body__name")[:limit]
    )
    # {ids} is Django's own compiled subquery; every value stays a bound parameter.
    ids_sql, params = plain.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(TECHNOLOGY_SQL[connection.vendor].format(ids=ids_sql), [*params, limit])
        technologies = cursor.fetchall()
    return {
        "public_body": [
            (r["public_body"], r["n"], r["public_body__name"] or _("Organisme sans nom"))
            for r in bodies
        ],
        "technology": [(value, n, value) for value, n in technologies],
    }
