"""/api/v1/: outside the language prefix (one address per resource, whatever the language)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import errors, views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.APIRootView = views.ApiRootView
router.register("repositories", views.RepositoryViewSet, basename="repository")
router.register("owners", views.OwnerViewSet, basename="owner")
router.register("forges", views.ForgeViewSet, basename="forge")
router.register("public-bodies", views.PublicBodyViewSet, basename="public-body")
router.register("ministries", views.MinistryViewSet, basename="ministry")
router.register("software", views.SoftwareViewSet, basename="software")
router.register("contributions", views.ContributionViewSet, basename="contribution")
router.register("events", views.EventViewSet, basename="event")
router.register("gazette", views.GazetteIssueViewSet, basename="gazette-issue")
router.register("contributors", views.ContributorViewSet, basename="contributor")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("", include(router.urls)),
    re_path(r"^.*$", errors.not_found),
]
