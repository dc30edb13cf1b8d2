"""The read-only endpoints of /api/v1/: one view set per list, each filtered by the FilterSet
of its HTML listing, paged by cursor, synced by ``updated_since`` (api.paging)."""

from __future__ import annotations

import hashlib
from datetime import UTC

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import routers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api import paging
from api import serializers as api_serializers
from api.errors import PROBLEM, InvalidParams, invalid_params_of
from api.pagination import SCHEMA_PARAMETERS, CursorPagination
from api.throttling import rate_headers
from bluehats.filters import EventFilter
from bluehats.models import ContributorProfile, Event, GazetteIssue
from catalog import filters as catalog_filters
from catalog import listing_cache
from catalog.models import Forge, Owner, PublicBody, Repository
from contributions.filters import ContributionFilter
from contributions.models import Contribution
from sill.filters import SoftwareFilter
from sill.models import Software

# Parameters of the API itself; every other one goes to the list's FilterSet.
API_PARAMS = {"cursor", "page_size", "ordering", "updated_since"}
CACHE_CONTROL = "public, max-age=300"


class ApiHeaders:
    """The API's headers (api_headers) on a DRF view's answers."""

    def initial(self, request, *args, **kwargs):
        # Never into the anonymous page cache (core.pagecache): the API sets its own
        # Cache-Control, and must count every request against the rate limit.
        request._request._cache_update_cache = False
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return api_headers(request, response, getattr(self, "last_modified", None))


class ApiRootView(ApiHeaders, routers.APIRootView):
    """/api/v1/: the address of each list."""


class ReadOnlyViewSet(ApiHeaders, viewsets.ReadOnlyModelViewSet):
    """A list (GET /…/) and its items (GET /…/{id}/); any other method is a 405."""

    pagination_class = CursorPagination
    filter_backends = [DjangoFilterBackend]  # what the schema reads; lists bind it below
    lookup_value_regex = r"[0-9]{1,19}"
    gone_field = ""
    # The item's serializer when it says more than the list's rows (None: the same).
    detail_serializer_class = None

    def base(self):
        """The rows of the list, as its HTML listing shows them (before filters)."""
        raise NotImplementedError

    def rows(self):
        """The rows read for serialisation (select_related…)."""
        raise NotImplementedError

    def get_queryset(self):
        return self.rows().filter(pk__in=self.base().values("pk"))

    def filter_queryset(self, queryset):
        return queryset  # an item's address takes no filter

    def filter_data(self):
        data = self.request.query_params.copy()
        for name in API_PARAMS:
            data.pop(name, None)
        return data

    def listed(self):
        """The list's rows narrowed by its FilterSet (a 400 naming any refused value)."""
        if self.filterset_class is None:
            return self.base()
        filterset = self.filterset_class(
            self.filter_data(), queryset=self.base(), request=self.request
        )
        if not filterset.is_valid():
            raise InvalidParams(invalid_params_of(filterset.errors))
        self.filterset = filterset
        return filterset.qs

    def list(self, request, *args, **kwargs):
        params = request.query_params
        since = paging.parse_since(params.get("updated_since"))
        ordering = paging.parse_ordering(params.get("ordering"), syncing=since is not None)
        size = paging.parse_page_size(params.get("page_size"))
        cursor = params.get("cursor")
        position = paging.decode_cursor(cursor, ordering) if cursor else None
        model = self.base().model
        page = paging.build_page(
            listed=self.listed(),
            changed=(model.objects.filter(modified_at__gt=since), since) if since else None,
            table=model._meta.db_table,
            gone_field=self.gone_field,
            position=position,
            size=size,
            ordering=ordering,
        )
        found = self.rows().in_bulk([e.pk for e in page.entries if e.deleted_at is None])
        live = [found[e.pk] for e in page.entries if e.deleted_at is None and e.pk in found]
        # One serializer for the page: an instance per row would copy its fields (and
        # compile their validators) a thousand times.
        serialized = iter(
            self.serializer_class(live, many=True, context=self.get_serializer_context()).data
        )
        results = []
        for entry in page.entries:
            if entry.deleted_at is not None:
                results.append(
                    api_serializers.Tombstone({"id": entry.pk, "deleted_at": entry.deleted_at}).data
                )
            elif entry.pk in found:
                results.append(next(serialized))
        self.last_modified = page.last_modified
        return self.paginator.response(request, page, results)

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class:
            return self.detail_serializer_class
        return self.serializer_class

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        self.last_modified = item.modified_at
        return Response(self.get_serializer(item).data)

    def dispatch(self, request, *args, **kwargs):
        # Dates in UTC ("…Z"), whatever the site's time zone; messages and labels in the
        # client's language (Accept-Language: the API's addresses have no language prefix).
        language = translation.get_language_from_request(request, check_path=False)
        with timezone.override(UTC), translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
        patch_vary_headers(response, ["Accept-Language"])
        return response


def api_headers(request, response, last_modified=None):
    """API-Version and the rate limit on every answer; on a 200 to GET/HEAD, Cache-Control,
    ETag and Last-Modified, and a 304 when the client's copy is current."""
    headers = {"API-Version": settings.API_VERSION, **rate_headers(request)}
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = CACHE_CONTROL
        stamp = last_modified.timestamp() if last_modified else None
        if stamp is not None:
            response.headers["Last-Modified"] = http_date(stamp)
        response = get_conditional_response(
            request._request,
            etag=etag,
            last_modified=int(stamp) if stamp else None,
            response=response,
        )
    for name, value in headers.items():
        response.headers[name] = value
    return response


PROBLEM_SCHEMA = OpenApiResponse(
    description="application/problem+json: type, title, status, detail (and invalid_params).",
    response=inline_serializer(
        "Problem",
        {
            "type": serializers.CharField(),
            "title": serializers.CharField(),
            "status": serializers.IntegerField(),
            "detail": serializers.CharField(),
            "invalid_params": inline_serializer(
                "InvalidParam",
                {"name": serializers.CharField(), "reason": serializers.CharField()},
                many=True,
                required=False,
            ),
        },
    ),
)
PROBLEMS = {(status, PROBLEM): PROBLEM_SCHEMA for status in (400, 404, 429)}
ARCHIVED_PARAMETER = OpenApiParameter(
    "archived",
    str,
    enum=["include", "only", "exclude"],
    description=(
        "Archived repositories. Unlike the HTML list /depots/, the API includes them by "
        "default (`include`), so that paging the list gives every live repository once; "
        "`exclude` hides them, `only` keeps them alone."
    ),
)


def list_view(serializer, description: str, *parameters, detail=None):
    """The schema of a list and its items; `detail`: the item's serializer when it says more
    than the list's rows."""
    return extend_schema_view(
        list=extend_schema(
            description=description,
            parameters=[*SCHEMA_PARAMETERS, *parameters],
            responses={200: serializer(many=True), **PROBLEMS},
        ),
        retrieve=extend_schema(
            description="One item of the list, by its id.",
            responses={200: detail or serializer, **PROBLEMS},
        ),
    )


@list_view(
    api_serializers.RepositorySerializer,
    "Every live repository (those the forges still list; archived ones included unless "
    "`archived=exclude`), filtered like /depots/.",
    ARCHIVED_PARAMETER,
    detail=api_serializers.RepositoryDetailSerializer,
)
class RepositoryViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.RepositorySerializer
    detail_serializer_class = api_serializers.RepositoryDetailSerializer
    filterset_class = catalog_filters.RepositoryFilter
    gone_field = "gone_since"

    def base(self):
        return Repository.objects.visible()

    def rows(self):
        return Repository.objects.for_api()

    def filter_data(self):
        data = super().filter_data()
        archived = data.get("archived") or "include"
        if archived == "exclude":
            data.pop("archived", None)
        else:
            data["archived"] = archived
        return data

    @extend_schema(
        description=(
            "The facets of /depots/ for the same filters: each facet's values with their "
            "number of repositories (archived ones included unless `archived=exclude`)."
        ),
        parameters=[ARCHIVED_PARAMETER],
        responses=inline_serializer(
            "Facet",
            {
                "key": serializers.CharField(),
                "label": serializers.CharField(),
                "options": inline_serializer(
                    "FacetOption",
                    {
                        "value": serializers.CharField(),
                        "label": serializers.CharField(),
                        "count": serializers.IntegerField(),
                        "selected": serializers.BooleanField(),
                    },
                    many=True,
                ),
            },
            many=True,
        ),
    )
    @action(detail=False, pagination_class=None)
    def facets(self, request, *args, **kwargs):
        self.listed()  # binds and validates the filters
        filterset = self.filterset
        # The key of /depots/ with the same filters: the page and the API share the entry.
        key = listing_cache.key_for("facets", self.filter_data())
        summary = listing_cache.cached(key, lambda: catalog_filters.listing_summary(filterset))
        chosen = filterset.form.cleaned_data
        facets = []
        for name, values in summary["facets"].items():
            current = str(chosen.get(name) or "").lower()
            facets.append(
                {
                    "key": name,
                    "label": str(filterset.filters[name].label),
                    "options": [
                        {
                            "value": str(value),
                            "label": str(label),
                            "count": count,
                            "selected": bool(current) and str(value).lower() == current,
                        }
                        for value, count, label in values
                    ],
                }
            )
        return Response(facets)


@list_view(
    api_serializers.OwnerSerializer,
    "The organisations and groups that have repositories, filtered like /organisations/.",
)
class OwnerViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.OwnerSerializer
    filterset_class = catalog_filters.OwnerFilter

    def base(self):
        return Owner.objects.listed()

    def rows(self):
        return Owner.objects.for_api()


@list_view(api_serializers.ForgeSerializer, "The forges the catalogue knows.")
class ForgeViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.ForgeSerializer
    filterset_class = None

    def base(self):
        return Forge.objects.all()

    def rows(self):
        return Forge.objects.select_related("public_body").defer("conditional_state")


@list_view(api_serializers.PublicBodySerializer, "Public bodies known by name.")
class PublicBodyViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.PublicBodySerializer
    filterset_class = None

    def base(self):
        return PublicBody.objects.named()

    def rows(self):
        return PublicBody.objects.all()


@list_view(
    api_serializers.PublicBodySerializer,
    "The ministries (public bodies at the top of the State's directory).",
)
class MinistryViewSet(PublicBodyViewSet):
    def base(self):
        return PublicBody.objects.ministries().named()


@list_view(
    api_serializers.SoftwareSerializer, "The SILL: published software, filtered like /sill/."
)
class SoftwareViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.SoftwareSerializer
    filterset_class = SoftwareFilter

    def base(self):
        return Software.objects.published()

    def rows(self):
        return Software.objects.for_api()


@list_view(
    api_serializers.ContributionSerializer,
    "Published contributions to free software, filtered like /contributions/.",
)
class ContributionViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.ContributionSerializer
    filterset_class = ContributionFilter

    def base(self):
        return Contribution.objects.published()

    def rows(self):
        return Contribution.objects.for_list()


@list_view(
    api_serializers.EventSerializer,
    "Published BlueHats events, past and upcoming (the HTML list /bluehats/evenements/ shows "
    "the upcoming ones), filtered like it.",
)
class EventViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.EventSerializer
    filterset_class = EventFilter

    def base(self):
        return Event.objects.published()

    def rows(self):
        return Event.objects.for_detail()


@list_view(api_serializers.GazetteIssueSerializer, "The issues of the Gazette BlueHats.")
class GazetteIssueViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.GazetteIssueSerializer
    filterset_class = None

    def base(self):
        return GazetteIssue.objects.all()

    def rows(self):
        return GazetteIssue.objects.all()


@list_view(
    api_serializers.ContributorSerializer,
    "The contributor profiles their owners made public; one made private again leaves the "
    "list (a tombstone with `updated_since`).",
)
class ContributorViewSet(ReadOnlyViewSet):
    serializer_class = api_serializers.ContributorSerializer
    filterset_class = None

    def base(self):
        return ContributorProfile.objects.public()

    def rows(self):
        return ContributorProfile.objects.all()
