from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext as _

from core.feeds import CleanAtom1Feed
from sill.models import Software


class SoftwareFeed(Feed):
    """The 50 software added to the SILL most recently."""

    feed_type = CleanAtom1Feed

    def title(self):
        return _("Nouveaux logiciels du SILL — %(site)s") % {"site": settings.SITE_NAME}

    def link(self):
        return reverse("sill:index")

    def items(self):
        return Software.objects.published().order_by("-added_at", "-pk")[:50]

    def item_title(self, item):
        return item.name

    def item_description(self, item):
        return item.function or item.description_fr

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.added_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_guid(self, item):
        return f"urn:codegouv:sill:{item.sill_id or item.pk}"

    item_guid_is_permalink = False
