"""Pieces of every listing's FilterSet: its form, its base class with the search box,
yes/no and id filters, and the facet counts of a column."""

from __future__ import annotations

import copy

import django_filters
from django import forms
from django.db.models import Count
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm


class FilterForm(DsfrBaseForm):
    """Every filter is optional: no "(Optionnel)" after each label. django-dsfr's field
    markup reads that choice from the settings alone, so each field gets our own
    (components/filter_field.html)."""

    field_template = "components/filter_field.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.template_name = self.field_template

    def get_context(self):
        context = super().get_context()
        context["DSFR_MARK_OPTIONAL_FIELDS"] = False
        return context


class SearchableFilterSet(django_filters.FilterSet):
    """A search box `q` (first in the form) handed to the QuerySet's `search()`, then the
    listing's own filters, every one optional (FilterForm).

    A subclass names its model with `class Meta(SearchableFilterSet.Meta): model = …`."""

    q = django_filters.CharFilter(method="filter_q", label=_("Rechercher"))

    class Meta:
        fields = []
        form = FilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # As django-filter's, but with a shallow copy of each filter: its deep copy of the
        # filters for every request cost ~1 ms of a listing page (ADR 13). A filter keeps
        # no state of its own after its definition but `model` and `parent`, set here, and
        # the FilterMethod calling its parent's method, made again for the copy.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
            if filter_.method:
                filter_.method = filter_.method

    def get_form_class(self):
        """One form class per FilterSet class, built on first use: django-filter builds a
        new one with new fields for every request, though the fields never change (labels
        and choices are lazy translations); Django copies a form's fields for each form."""
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = cls._form_class = super().get_form_class()
        return form_class

    def filter_q(self, queryset, name, value):
        return queryset.search(value)


def yes_no(label, **options):
    """A filter that is either off ("Indifférent"), yes or no."""
    return django_filters.BooleanFilter(
        label=label,
        **options,
        widget=forms.Select(
            choices=[("", _("Indifférent")), ("true", _("Oui")), ("false", _("Non"))]
        ),
    )


def id_filter(field_name: str, label, **options) -> django_filters.NumberFilter:
    """A filter on a row id: out-of-range numbers are a form error, not a database one."""
    return django_filters.NumberFilter(
        field_name=field_name, label=label, min_value=1, max_value=2**63 - 1, **options
    )


def top_values(queryset, field: str, *, limit: int, distinct: bool = False, labels=None):
    """[(value, count, label)] of the `limit` most frequent non-empty values of `field`.

    `distinct` counts each row once when the queryset's joins repeat it; `labels` maps a
    value to what is shown (the value itself by default)."""
    rows = (
        queryset.order_by()
        .exclude(**{field: ""})
        .values(field)
        .annotate(n=Count("pk", distinct=distinct))
        .order_by("-n", field)[:limit]
    )
    labels = labels or {}
    return [(row[field], row["n"], labels.get(row[field], row[field])) for row in rows]
