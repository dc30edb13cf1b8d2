from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext as _

from contributions.models import Contribution
from core.feeds import CleanAtom1Feed


class ContributionFeed(Feed):
    """The 50 contributions published most recently (by declaration date)."""

    feed_type = CleanAtom1Feed

    def title(self):
        return _("Contributions aux logiciels libres — %(site)s") % {"site": settings.SITE_NAME}

    def subtitle(self):
        return _("Ce que les agents et organismes publics apportent aux logiciels libres.")

    def link(self):
        return reverse("contributions:index")

    def items(self):
        return Contribution.objects.published().for_list().order_by("-created_at", "-pk")[:50]

    def item_title(self, item):
        body = item.public_body.name if item.public_body else _("Organisme non renseigné")
        return _("%(project)s : %(kind)s (%(body)s)") % {
            "project": item.project_name,
            "kind": item.get_kind_display(),
            "body": body,
        }

    def item_description(self, item):
        return item.rendered_description

    def item_link(self, item):
        return item.get_absolute_url()

    def item_author_name(self, item):
        return item.shown_author or (item.public_body.name if item.public_body else None)

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_guid(self, item):
        return f"urn:codegouv:contribution:{item.pk}"

    item_guid_is_permalink = False
