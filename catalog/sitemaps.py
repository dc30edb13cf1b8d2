from functools import cached_property

from django.contrib.sitemaps import Sitemap

from catalog.models import Owner, PackageUsage, Repository
from core.urls import reverser


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

    @cached_property
    def page(self):
        # Repository.get_absolute_url() from a row's values (10,000 rows a sitemap page);
        # the sitemap views make one instance per request.
        return reverser("catalog:detail", arity=2)

    def location(self, item):
        return self.page(item.forge__host, item.full_path)

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

    @cached_property
    def page(self):
        # Owner.get_absolute_url() from a row's values (see RepositorySitemap.page).
        return reverser("owners:detail", arity=2)

    def location(self, item):
        return self.page(item.forge__host, item.path)


class DependencySitemap(Sitemap):
    """The page of every package a visible repository (not a fork) declares (as counted
    after the last harvest: PackageUsage)."""

    limit = 10_000
    changefreq = "weekly"

    def items(self):
        # As last counted: a DISTINCT over millions of Dependency rows costs seconds.
        return (
            PackageUsage.objects.values_list("ecosystem", "name")
            .distinct()
            .order_by("ecosystem", "name")
        )

    @cached_property
    def page(self):
        return reverser("dependencies:detail", arity=2)

    def location(self, item):
        return self.page(*item)
