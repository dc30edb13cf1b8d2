from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from accounts import login as login_views
from catalog.feeds import OwnerFeed, RepositoryFeed
from catalog.views import crawler_catalog
from codegouv import public_bodies, views
from codegouv.sitemaps import SITEMAPS
from codegouv.statistics import statistics_page
from editorial.views import about
from moderation.admin import moderation_queue

# French at the root, English under /en/: every page has a stable, shareable URL per language.
urlpatterns = i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("depots/flux.atom", RepositoryFeed(), name="repositories_feed"),
    path("depots/a-publier/", include("contributions.urls_unpublished")),
    path("depots/", include("catalog.urls")),
    path("organisations/<str:host>/<path:path>/flux.atom", OwnerFeed(), name="owner_feed"),
    path("organisations/", include("catalog.urls_owners")),
    path("donnees/", include("catalog.urls_data")),
    path("dependances/", include("catalog.urls_dependencies")),
    path("bibliotheques/", include("catalog.urls_libraries")),
    path("sill/", include("sill.urls")),
    path("contributions/", include("contributions.urls")),
    path("bluehats/", include("bluehats.urls")),
    path("contributeurs/", include("bluehats.urls_contributors")),
    path("recherche/", views.search, name="search"),
    path("statistiques/", statistics_page, name="stats"),
    path("ministeres/", public_bodies.ministry_list, name="ministries"),
    path("ministeres/<slug:slug>/", public_bodies.ministry_detail, name="ministry"),
    path("organismes/<slug:slug>/", public_bodies.public_body_detail, name="public_body"),
    path("compte/", include("accounts.urls")),
    path("guides/", include("editorial.urls")),
    path("a-propos/", about, name="about"),
    path("", include("codegouv.pages")),
    prefix_default_language=False,
)

urlpatterns += [
    # Before the API's include, whose catch-all 404 would otherwise answer it first.
    path("api/v1/catalog.json", crawler_catalog, name="api_catalog"),
    # The public read API: one address per resource, whatever the language (ADR 16).
    path("api/v1/", include("api.urls")),
    path(
        "admin/moderation/",
        admin.site.admin_view(moderation_queue),
        name="moderation_queue",
    ),
    # Editors log in on the portal's page (ProConnect or the local form), then reach the admin.
    path("admin/login/", login_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    # Registered with ProConnect: the same address whatever the interface language.
    path("compte/proconnect/", include("accounts.urls_proconnect")),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", sitemap_index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]

handler400 = "codegouv.views.bad_request"
handler403 = "codegouv.views.permission_denied"
handler404 = "codegouv.views.page_not_found"
handler500 = "codegouv.views.server_error"
