"""The base FilterSet of the searchable listings (repositories, SILL, contributions…).

Kept beside core.filters, whose pieces it uses: every listing had the same search box and
the same Meta, written again in each app.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import FilterForm


class SearchableFilterSet(django_filters.FilterSet):
    """A search box `q` (first in the form) handed to the QuerySet's `search()`, then the
    listing's own filters, every one optional (FilterForm).

    A subclass names its model with `class Meta(SearchableFilterSet.Meta): model = …`."""

    q = django_filters.CharFilter(method="filter_q", label=_("Rechercher"))

    class Meta:
        fields = []
        form = FilterForm

    def filter_q(self, queryset, name, value):
        return queryset.search(value)
