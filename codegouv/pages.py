"""The footer's mandatory pages: accessibility, legal notice, personal data, site map."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

app_name = "pages"

# (address, name: also the template's, title)
PAGES = [
    ("accessibilite/", "accessibility", _("Déclaration d’accessibilité")),
    ("mentions-legales/", "legal", _("Mentions légales")),
    ("donnees-personnelles/", "privacy", _("Données personnelles")),
    ("plan-du-site/", "sitemap", _("Plan du site")),
]

urlpatterns = [
    path(
        route,
        TemplateView.as_view(
            template_name=f"pages/{name}.html", extra_context={"page_title": title}
        ),
        name=name,
    )
    for route, name, title in PAGES
]
