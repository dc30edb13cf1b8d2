"""The footer's mandatory pages: accessibility, legal notice, personal data, site map."""

from django.urls import path
from django.views.generic import TemplateView

app_name = "pages"

urlpatterns = [
    path(
        "accessibilite/",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path(
        "mentions-legales/",
        TemplateView.as_view(template_name="pages/legal.html"),
        name="legal",
    ),
    path(
        "donnees-personnelles/",
        TemplateView.as_view(template_name="pages/privacy.html"),
        name="privacy",
    ),
    path(
        "plan-du-site/",
        TemplateView.as_view(template_name="pages/sitemap.html"),
        name="sitemap",
    ),
]
