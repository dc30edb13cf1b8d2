from django import template

from catalog import supervision

register = template.Library()


@register.inclusion_tag("admin/includes/harvest_dashboard.html")
def harvest_dashboard():
    return {
        "last_day": supervision.last_day_counts(),
        "failing": list(supervision.failing_owners()),
        "threshold": supervision.FAILING_RUNS,
    }
