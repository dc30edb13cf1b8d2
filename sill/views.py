from django.db import connection
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from catalog.exports import csv_response, json_response
from catalog.models import Repository
from catalog.views import active_filters, paginate
from sill import exports, filters
from sill.enums import DeclarationKind
from sill.models import Software
from sill.wikidata import effective_value


def software_list(request):
    filterset, queryset = filters.filter_software(request.GET)
    searching = bool(request.GET.get("q", "").strip()) and connection.vendor == "postgresql"
    sort = request.GET.get("sort") or ("relevance" if searching else "name")
    if sort not in filters.SORTS or (sort == "relevance" and not searching):
        sort = "name"
    if request.GET.get("format") in ("csv", "json"):
        rows = exports.software_rows(
            queryset.order_by(*filters.SORTS["name"]),
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        if request.GET["format"] == "csv":
            return csv_response(rows, exports.SOFTWARE_COLUMNS, filename="sill.csv")
        return json_response(rows, filename="sill.json")
    page, _per_page = paginate(request, queryset.for_list().order_by(*filters.SORTS[sort]))
    return render(
        request,
        "sill/software_list.html",
        {
            "filterset": filterset,
            "page_obj": page,
            "software_list": page.object_list,
            "facets": filters.facet_counts(queryset),
            "active_filters": active_filters(filterset),
            "query": request.GET.get("q", "")[:200],
            "sort": sort,
            "sorts": [
                (key, label)
                for key, label in filters.SORT_LABELS.items()
                if key != "relevance" or searching
            ],
        },
    )


def catalogi_export(request):
    return json_response(exports.catalogi_rows(), filename="sill.json")


def software_detail(request, slug):
    software = get_object_or_404(
        Software.objects.select_related("parent").prefetch_related("external_values"), slug=slug
    )
    external = list(software.external_values.all())
    provenance = []
    for field, label in (
        ("website", _("Site web")),
        ("source_repository", _("Code source")),
        ("license", _("Licence")),
        ("latest_version", _("Dernière version")),
        ("logo", _("Logo")),
    ):
        value, source = effective_value(software, field, external)
        if value:
            fetched = next((v.fetched_at for v in external if v.field == field), None)
            provenance.append(
                {
                    "label": label,
                    "value": value,
                    "source": source,
                    "fetched_at": fetched if source == "wikidata" else None,
                }
            )
    by_body = (
        software.declarations.values("public_body__name", "public_body__pso_id")
        .annotate(
            users=Count("pk", filter=Q(kind=DeclarationKind.USER)),
            referents=Count("pk", filter=Q(kind=DeclarationKind.REFERENT)),
        )
        .order_by("public_body__name")
    )
    instances = software.instances.select_related("public_body")
    agents = []
    if request.user.is_authenticated:
        # Names and addresses are for fellow agents only, never for the public.
        agents = list(
            software.declarations.filter(user__isnull=False)
            .select_related("user", "public_body")
            .order_by("public_body__name", "kind")
        )
    else:
        instances = instances.filter(is_public=True)
    repositories = Repository.objects.visible().for_list()
    related = Q(pk=software.source_repository_id) if software.source_repository_id else Q()
    related |= Q(publiccode__name__iexact=software.name)
    return render(
        request,
        "sill/software_detail.html",
        {
            "software": software,
            "provenance": provenance,
            "agents": agents,
            "declarations_by_body": list(by_body),
            "instances": list(instances),
            "similar": list(software.similar.order_by("name")),
            "children": list(software.children.order_by("name")),
            "repositories": list(repositories.filter(related).order_by("-score")[:6]),
        },
    )
