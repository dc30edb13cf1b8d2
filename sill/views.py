from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from catalog.models import Repository
from catalog.views import active_filters, paginate
from sill import filters
from sill.enums import DeclarationKind
from sill.models import Software


def software_list(request):
    filterset, queryset = filters.filter_software(request.GET)
    sort = request.GET.get("sort") if request.GET.get("sort") in filters.SORTS else "name"
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
            "sorts": list(filters.SORT_LABELS.items()),
        },
    )


def software_detail(request, slug):
    software = get_object_or_404(Software.objects.select_related("parent"), slug=slug)
    by_body = (
        software.declarations.values("public_body__name", "public_body__pso_id")
        .annotate(
            users=Count("pk", filter=Q(kind=DeclarationKind.USER)),
            referents=Count("pk", filter=Q(kind=DeclarationKind.REFERENT)),
        )
        .order_by("public_body__name")
    )
    instances = software.instances.select_related("public_body")
    if not request.user.is_authenticated:
        instances = instances.filter(is_public=True)
    repositories = Repository.objects.visible().for_list()
    related = Q(pk=software.source_repository_id) if software.source_repository_id else Q()
    related |= Q(publiccode__name__iexact=software.name)
    return render(
        request,
        "sill/software_detail.html",
        {
            "software": software,
            "declarations_by_body": list(by_body),
            "instances": list(instances),
            "similar": list(software.similar.order_by("name")),
            "children": list(software.children.order_by("name")),
            "repositories": list(repositories.filter(related).order_by("-score")[:6]),
        },
    )
