"""The SILL listing's filters, sorts and facet counts."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.filters import PublicBodyFilter, public_body_label
from core.filters import SearchableFilterSet, top_values, yes_no
from core.search import json_list_contains
from sill.enums import DeclarationKind, SoftwareStatus
from sill.models import Declaration, Software, published_declarations

# Expressions rather than for_list()'s annotations: the exports sort with them too.
USERS = published_declarations(DeclarationKind.USER).desc()
REFERENTS = published_declarations(DeclarationKind.REFERENT).desc()
SORTS = {
    # Where the words are found first, then the most used (see SoftwareQuerySet.search).
    "relevance": ("-found_in", USERS, "-rank", "name"),
    "name": ("name",),
    "recent": ("-added_at", "name"),
    "users": (USERS, "name"),
    "referents": (REFERENTS, "name"),
}
SORT_LABELS = {
    "relevance": _("Pertinence"),
    "name": _("Nom"),
    "recent": _("Ajout récent"),
    "users": _("Nombre d’utilisateurs"),
    "referents": _("Nombre de référents"),
}


def declared_by(bodies):
    """The software whose use these bodies declared, published declarations only."""
    return Declaration.objects.published().filter(public_body__in=bodies).values("software")


class SoftwareFilter(SearchableFilterSet):
    category = django_filters.CharFilter(field_name="category", label=_("Catégorie"))
    status = django_filters.ChoiceFilter(choices=SoftwareStatus.choices, label=_("Statut"))
    license = django_filters.CharFilter(
        field_name="license", lookup_expr="iexact", label=_("Licence")
    )
    support_market = yes_no(_("Couvert par le marché de support"))
    has_referent = django_filters.BooleanFilter(
        method="filter_has_referent",
        label=_("Avec un référent"),
        widget=forms.Select(choices=[("", _("Indifférent")), ("true", _("Oui"))]),
    )
    platform = django_filters.CharFilter(method="filter_platform", label=_("Plateforme"))
    public_body = PublicBodyFilter(field_name="pk", keys=declared_by, label=_("Utilisé par"))
    ministry = PublicBodyFilter(
        field_name="pk", keys=declared_by, ministry=True, label=_("Utilisé par un ministère")
    )

    value_labels = {"public_body": public_body_label, "ministry": public_body_label}

    sorts, sort_labels, default_sort = SORTS, SORT_LABELS, "name"

    class Meta(SearchableFilterSet.Meta):
        model = Software

    def filter_platform(self, queryset, name, value):
        return queryset.filter(json_list_contains("platforms", value.strip().lower()))

    def filter_has_referent(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(declarations__kind=DeclarationKind.REFERENT).distinct()


def facet_counts(queryset, *, limit: int = 10):
    labels = {"status": dict(SoftwareStatus.choices)}
    facets = {
        facet: top_values(queryset, facet, limit=limit, distinct=True, labels=labels.get(facet))
        for facet in ("category", "status", "license")
    }
    # The ministries whose bodies declared using these software, published declarations.
    declared = Declaration.objects.published().filter(software__in=queryset.values("pk"))
    facets["ministry"] = [
        (row["ministry_slug"], row["n"], row["ministry_name"])
        for row in declared.counts_by_ministry(distinct_software=True)[:limit]
    ]
    return facets
