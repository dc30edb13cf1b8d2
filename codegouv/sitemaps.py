from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from bluehats.sitemaps import ContributorSitemap, EventSitemap, GazetteSitemap
from catalog.sitemaps import DependencySitemap, OwnerSitemap, RepositorySitemap
from contributions.sitemaps import ContributionSitemap
from editorial.models import GuidePage
from sill.sitemaps import SoftwareSitemap


class StaticViewSitemap(Sitemap):
    """The pages that exist without data: home, sections and the footer pages."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "catalog:index",
            "catalog:score",
            "catalog:awesome",
            "owners:index",
            "dependencies:index",
            "libraries:index",
            "data:index",
            "data:dictionary",
            "sill:index",
            "contributions:index",
            "bluehats:home",
            "bluehats:events",
            "bluehats:archive",
            "bluehats:gazette",
            "contributors:index",
            "stats",
            "pages:accessibility",
            "pages:legal",
            "pages:privacy",
            "pages:sitemap",
        ]

    def location(self, item):
        return reverse(item)


class GuidePageSitemap(Sitemap):
    """The published guide pages (written in French)."""

    changefreq = "monthly"

    def items(self):
        return GuidePage.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, page):
        return page.updated_at


SITEMAPS = {
    "static": StaticViewSitemap,
    "repositories": RepositorySitemap,
    "organisations": OwnerSitemap,
    "dependances": DependencySitemap,
    "sill": SoftwareSitemap,
    "guides": GuidePageSitemap,
    "contributions": ContributionSitemap,
    "bluehats-events": EventSitemap,
    "bluehats-gazette": GazetteSitemap,
    "contributors": ContributorSitemap,
}
