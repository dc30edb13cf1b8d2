"""Atom feeds of new repositories: of any search of the listing, and of one organisation."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext

from catalog.enums import ArchiveState
from catalog.filters import filter_repositories
from catalog.models import Owner, Repository
from core.feeds import CleanAtom1Feed
from core.listing import active_filters

FEED_SIZE = 50
# Listing parameters that change the order or the format, not which repositories match.
IGNORED_PARAMETERS = ("sort", "format", "page")


def search_summary(params) -> str:
    """The active search and filters of `params` in words: « q » · Langage : Python."""
    filterset, _queryset = filter_repositories(params, Repository.objects.none())
    query = filterset.form.cleaned_data.get("q")
    parts = [f"« {query} »"] if query else []
    parts += [f"{item['label']} : {item['value']}" for item in active_filters(filterset)]
    return " · ".join(parts)


class RepositoryItemsFeed(Feed):
    """What the repository feeds share: Atom, one entry per repository."""

    feed_type = CleanAtom1Feed

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # The self link keeps the query string, so each search has its own feed address.
        feed.feed["feed_url"] = request.build_absolute_uri()
        return feed

    def item_title(self, item):
        return item.full_path

    def item_description(self, item):
        return item.description or None

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        # The forge's own id survives renames and transfers.
        return f"urn:codegouv:repository:{quote(item.forge.host)}:{quote(item.remote_id)}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.first_seen_at

    def item_updateddate(self, item):
        # An Atom entry needs <updated>.
        return item.updated_at or item.first_seen_at

    def item_author_name(self, item):
        return item.owner.path

    def item_categories(self, item):
        categories = [str(topic) for topic in item.topics or []]
        if item.archive_state != ArchiveState.UNKNOWN:
            # What Software Heritage holds, once checked: readers can filter on it.
            categories.append(
                gettext("Software Heritage : %(state)s")
                % {"state": ArchiveState(item.archive_state).label}
            )
        return categories


class RepositoryFeed(RepositoryItemsFeed):
    """The newest repositories matching the listing's search and filters (GET parameters)."""

    def get_object(self, request):
        return request.GET

    def title(self, obj):
        return gettext("Nouveaux dépôts — %(site)s") % {"site": settings.SITE_NAME}

    def subtitle(self, obj):
        summary = search_summary(obj)
        if summary:
            return gettext("Les derniers dépôts référencés pour la recherche : %(search)s") % {
                "search": summary
            }
        return gettext("Les derniers dépôts de code source public référencés sur %(site)s") % {
            "site": settings.SITE_NAME
        }

    def link(self, obj):
        params = obj.copy()
        for name in IGNORED_PARAMETERS:
            params.pop(name, None)
        query = params.urlencode()
        return reverse("catalog:index") + (f"?{query}" if query else "")

    def items(self, obj):
        _filterset, queryset = filter_repositories(obj)
        return queryset.for_list().newest_first()[:FEED_SIZE]


class OwnerFeed(RepositoryItemsFeed):
    """The newest visible repositories of one organisation (or group, or account)."""

    def get_object(self, request, host, path):
        return get_object_or_404(
            Owner.objects.select_related("forge"), forge__host=host, path__iexact=path
        )

    def title(self, obj):
        return gettext("Nouveaux dépôts de %(owner)s — %(site)s") % {
            "owner": obj.name or obj.path,
            "site": settings.SITE_NAME,
        }

    def subtitle(self, obj):
        if obj.description:
            return obj.description
        return gettext("Les derniers dépôts de %(host)s/%(path)s référencés sur %(site)s") % {
            "host": obj.forge.host,
            "path": obj.path,
            "site": settings.SITE_NAME,
        }

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return Repository.objects.visible().filter(owner=obj).for_list().newest_first()[:FEED_SIZE]
