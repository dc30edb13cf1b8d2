from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from sill.models import Software


class SoftwareSitemap(Sitemap):
    changefreq = "weekly"
    i18n = True
    alternates = True

    def items(self):
        return (
            Software.objects.published()
            .order_by("pk")
            .values_list("slug", "updated_at", named=True)
        )

    def location(self, item):
        return reverse("sill:detail", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at
