"""The home page's "À la une" section."""

from editorial.models import Highlight


def active_highlights(*, now=None):
    """The highlights shown now, in order, with their targets: one query."""
    return list(Highlight.objects.for_home(now))
