from datetime import datetime, time

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext as _

from bluehats.models import PARIS, Event, GazetteIssue
from core.feeds import CleanAtom1Feed


class EventFeed(Feed):
    """The 50 events announced most recently."""

    feed_type = CleanAtom1Feed

    def title(self):
        return _("Événements BlueHats — %(site)s") % {"site": settings.SITE_NAME}

    def subtitle(self):
        return _("Les webinaires, rencontres et sprints de la communauté BlueHats.")

    def link(self):
        return reverse("bluehats:events")

    def items(self):
        return Event.objects.published().for_list().order_by("-created_at", "-pk")[:50]

    def item_title(self, item):
        return _("%(title)s (%(date)s)") % {
            "title": item.title,
            "date": item.local_start.strftime("%d/%m/%Y"),
        }

    def item_description(self, item):
        return item.rendered_description

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_guid(self, item):
        return f"urn:uuid:{item.uid}"

    item_guid_is_permalink = False


class GazetteFeed(Feed):
    feed_type = CleanAtom1Feed

    def title(self):
        return _("Gazette BlueHats — %(site)s") % {"site": settings.SITE_NAME}

    def link(self):
        return reverse("bluehats:gazette")

    def items(self):
        return GazetteIssue.objects.order_by("-number")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.rendered_body()

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return datetime.combine(item.published_on, time(9), PARIS)

    def item_updateddate(self, item):
        return item.updated_at

    def item_guid(self, item):
        return f"urn:codegouv:bluehats-gazette:{item.number}"

    item_guid_is_permalink = False
