from django.contrib.sitemaps import Sitemap

from contributions.models import Contribution


class ContributionSitemap(Sitemap):
    """The pages of the published contributions."""

    changefreq = "monthly"
    limit = 5000

    def items(self):
        return Contribution.objects.published().order_by("pk").only("pk", "updated_at")

    def lastmod(self, contribution):
        return contribution.updated_at
