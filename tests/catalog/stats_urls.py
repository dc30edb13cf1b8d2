"""The portal's URLs with /statistiques/ (and /en/statistiques/) served by the real view."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from catalog.statistics import statistics_page
from codegouv.urls import handler500
from codegouv.urls import urlpatterns as base

__all__ = ["handler500", "urlpatterns"]

urlpatterns = [
    *i18n_patterns(
        path("statistiques/", statistics_page, name="stats"),
        prefix_default_language=False,
    ),
    *base,
]
