from django.contrib.sitemaps import Sitemap

from bluehats.models import ContributorProfile, Event, GazetteIssue


class EventSitemap(Sitemap):
    """The published events, upcoming and past (their pages keep the videos and slides)."""

    changefreq = "weekly"
    i18n = True
    alternates = True

    def items(self):
        return Event.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, event):
        return event.updated_at


class GazetteSitemap(Sitemap):
    changefreq = "monthly"
    i18n = True
    alternates = True

    def items(self):
        return GazetteIssue.objects.order_by("number").only("number", "updated_at")

    def lastmod(self, issue):
        return issue.updated_at


class ContributorSitemap(Sitemap):
    changefreq = "weekly"
    i18n = True
    alternates = True

    def items(self):
        return ContributorProfile.objects.public().order_by("pk").only("slug", "updated_at")

    def lastmod(self, profile):
        return profile.updated_at
