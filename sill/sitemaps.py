from django.contrib.sitemaps import Sitemap

from core.urls import reverser
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
        # Software.get_absolute_url() from the row's values; not cached on the instance:
        # an i18n sitemap changes the language between items.
        return reverser("sill:detail", arity=1)(item.slug)

    def lastmod(self, item):
        return item.updated_at
