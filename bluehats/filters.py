"""The upcoming events' filters: kind, organiser, period (from now, at each request)."""

from datetime import timedelta

import django_filters
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bluehats.enums import EventKind, Period
from bluehats.models import Event
from catalog.filters import PublicBodyFilter, public_body_label
from core.filters import SearchableFilterSet

PERIOD_DAYS = {Period.WEEK: 7, Period.MONTH: 30, Period.QUARTER: 92}


class EventFilter(SearchableFilterSet):
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label=_("Type"))
    organiser = PublicBodyFilter(field_name="organiser", label=_("Organisateur"))
    period = django_filters.ChoiceFilter(
        choices=Period.choices, method="filter_period", label=_("Période")
    )

    value_labels = {"organiser": public_body_label}

    sorts = {"date": ("start_at", "pk")}
    default_sort = "date"

    class Meta(SearchableFilterSet.Meta):
        model = Event

    def filter_period(self, queryset, name, value):
        return queryset.filter(start_at__lt=timezone.now() + timedelta(days=PERIOD_DAYS[value]))


class ContributorFilter(django_filters.FilterSet):
    """/contributeurs/: the agents of a public body, or of a ministry's bodies."""

    public_body = PublicBodyFilter(field_name="user__public_body", label=_("Organisme public"))
    ministry = PublicBodyFilter(field_name="user__public_body", ministry=True, label=_("Ministère"))

    value_labels = {"public_body": public_body_label, "ministry": public_body_label}


def period_counts(queryset):
    """[(period, count, label)] of the upcoming rows starting within each period, in one
    query."""
    now = timezone.now()
    counts = queryset.order_by().aggregate(
        **{
            str(period): Count("pk", filter=Q(start_at__lt=now + timedelta(days=days)))
            for period, days in PERIOD_DAYS.items()
        }
    )
    return [(period.value, counts[str(period)], period.label) for period in PERIOD_DAYS]


def event_facets(queryset):
    plain = queryset.order_by()
    return {
        "period": period_counts(plain),
        "kind": plain.counts_by_kind(),
        "organiser": plain.counts_by_organiser()[:10],
    }
