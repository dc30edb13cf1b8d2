from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog.models import Owner, Repository


class RepositorySitemap(Sitemap):
    """Every visible repository; Django splits it into pages of `limit` URLs."""

    limit = 10_000
    changefreq = "weekly"

    def items(self):
        return (
            Repository.objects.visible()
            .order_by("pk")
            .values_list("forge__host", "full_path", "updated_at", named=True)
        )

    def location(self, item):
        return reverse("catalog:detail", args=[item.forge__host, item.full_path])

    def lastmod(self, item):
        return item.updated_at


class OwnerSitemap(Sitemap):
    limit = 10_000
    changefreq = "weekly"

    def items(self):
        return (
            Owner.objects.filter(repository_count__gt=0)
            .order_by("pk")
            .values_list("forge__host", "path", named=True)
        )

    def location(self, item):
        return reverse("owners:detail", args=[item.forge__host, item.path])
