from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog import filters, listing_cache
from catalog.filters import active_filters
from catalog.models import Forge, Owner, Repository

PER_PAGE_CHOICES = (20, 50, 100)
OWNER_SORTS = {
    "repositories": ("-repository_count", "path"),
    "stars": ("-star_count", "path"),
    "activity": (F("last_activity_at").desc(nulls_last=True), "path"),
    "name": ("path",),
}


def paginate(request, queryset, *, per_page_default=20, count=None):
    """(page, per_page): `page=abc` gives page 1; a page past the end is a 404.

    `count`, when given, saves the COUNT(*) query (a cached total)."""
    try:
        per_page = int(request.GET.get("per_page", per_page_default))
    except ValueError:
        per_page = per_page_default
    if per_page not in PER_PAGE_CHOICES:
        per_page = per_page_default
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached_property
    try:
        return paginator.page(request.GET.get("page") or 1), per_page
    except PageNotAnInteger:
        return paginator.page(1), per_page
    except EmptyPage:
        if request.GET.get("page") and paginator.count:
            raise Http404(_("Cette page de résultats n’existe pas.")) from None
        return paginator.page(1), per_page


def repository_listing(request, *, base=None, scope="", template, extra=None):
    filterset, queryset = filters.filter_repositories(request.GET, base)
    searching = bool(filters.searched_text(filterset))
    sort_key, order = filters.sort_order(request.GET, searching=searching)
    export = request.GET.get("format")
    if export in ("csv", "json"):
        from catalog import exports

        return exports.export_response(queryset.order_by(*order), fmt=export, request=request)
    total = listing_cache.cached(listing_cache.key_for("count", request.GET, scope), queryset.count)
    page, per_page = paginate(request, queryset.for_list().order_by(*order), count=total)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "repositories": page.object_list,
        "facets": listing_cache.cached(
            listing_cache.key_for("facets", request.GET, scope),
            lambda: filters.facet_counts(queryset),
        ),
        "active_filters": active_filters(filterset),
        "query": filters.searched_text(filterset),
        "sort": sort_key,
        "sorts": [
            (key, label)
            for key, label in filters.SORT_LABELS.items()
            if key != "relevance" or searching
        ],
        "per_page": per_page,
        "per_page_choices": PER_PAGE_CHOICES,
        # The rendered sidebar and results depend on the parameters, the language and the
        # catalogue version only: rendering them costs more than every query of the page.
        "fragment_key": listing_cache.key_for(
            f"html:{get_language()}", request.GET, scope, every_param=True
        ),
        **(extra or {}),
    }
    return render(request, template, context)


def repository_list(request):
    return repository_listing(request, template="catalog/repository_list.html")


def awesome_list(request):
    """The Awesome selection: every repository the editors checked, best score first."""
    repositories = (
        Repository.objects.visible().awesome().for_list().order_by("-score", "-stars", "full_path")
    )
    return render(request, "catalog/awesome.html", {"repositories": repositories})


def repository_detail(request, host, full_path):
    visible = Repository.objects.visible().for_detail()
    full_path = full_path.strip("/")
    # The exact path is on an index; a differently cased link still finds its repository.
    repository = visible.filter(forge__host=host, full_path=full_path).first()
    if repository is None:
        repository = get_object_or_404(
            visible, forge__host__iexact=host, full_path__iexact=full_path
        )
    return render(
        request,
        "catalog/repository_detail.html",
        {
            "repository": repository,
            "checks": repository.explained_checks(),
            "similar": similar_repositories(repository),
            "languages": repository.language_shares(),
        },
    )


def similar_repositories(repository, limit=6):
    """Cached per repository until the catalogue changes: the OR over topics is costly."""
    ids = listing_cache.cached(
        f"catalog:similar:{listing_cache.catalog_version()}:{repository.pk}",
        lambda: list(
            Repository.objects.visible().similar_to(repository).values_list("pk", flat=True)[:limit]
        ),
    )
    rows = Repository.objects.for_list().in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def owner_list(request):
    filterset, owners = filters.filter_owners(request.GET)
    sort = request.GET.get("sort") if request.GET.get("sort") in OWNER_SORTS else "repositories"
    if request.GET.get("format") in ("csv", "json"):
        from catalog import exports

        return exports.export_response(
            owners.order_by(*OWNER_SORTS[sort]),
            fmt=request.GET["format"],
            request=request,
            kind="owners",
        )
    page, per_page = paginate(request, owners.order_by(*OWNER_SORTS[sort]))
    forges = list(Forge.objects.with_visible_repositories())
    data = filterset.form.cleaned_data
    return render(
        request,
        "catalog/owner_list.html",
        {
            "page_obj": page,
            "owners": page.object_list,
            "sort": sort,
            "sorts": [
                ("repositories", _("Nombre de dépôts")),
                ("stars", _("Étoiles")),
                ("activity", _("Activité récente")),
                ("name", _("Nom")),
            ],
            "per_page": per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "query": filters.searched_text(filterset),
            "forges": forges,
            "current_forge": data.get("forge") or "",
            "current_kind": data.get("kind") or "",
            "kinds": Forge.kind_choices(forges),
        },
    )


def owner_detail(request, host, path):
    owner = get_object_or_404(
        Owner.objects.select_related("forge", "public_body").defer("raw", "conditional_state"),
        forge__host__iexact=host,
        path__iexact=path.strip("/"),
    )
    return repository_listing(
        request,
        base=Repository.objects.visible().filter(owner=owner),
        scope=f"owner:{owner.pk}",
        template="catalog/owner_detail.html",
        extra={"owner": owner},
    )
