"""Repository and owner pages; the listings go through core.listing's skeleton."""

import hashlib
import re

from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from catalog import crawler, exports, filters, listing_cache, scoring, tasks
from catalog.awesome import card_details
from catalog.enums import DependencyScope, Ecosystem
from catalog.manifests import registry_url
from catalog.models import Dependency, Forge, Library, Manifest, Owner, PublicBody, Repository
from core.listing import Listing


def export_repositories(queryset, fmt, request, *, name_parts=()):
    return exports.export_response(queryset, fmt=fmt, request=request, name_parts=name_parts)


def export_owners(queryset, fmt, request, *, name_parts=()):
    return exports.export_response(
        queryset.for_list(), fmt=fmt, request=request, kind="owners", name_parts=name_parts
    )


def repository_listing(request, *, base=None, scope="", template, extra=None):
    """/depots/ and an owner's page: the count and the facets, computed together, cached
    per catalogue version."""
    version = listing_cache.catalog_version()
    queryset = base if base is not None else Repository.objects.visible()

    def summary(filterset, page=None):
        # The count, the facets and the hidden archived repositories: one statement, cached;
        # computed, it gives the page's ids too, which are not cached (every page and sort
        # of a search shares the entry).
        key = listing_cache.key_for("facets", request.GET, scope, version=version)
        computed = {}

        def compute():
            found = filters.listing_summary(filterset, page=page)
            computed["page_ids"] = found.pop("page_ids", None)
            return found

        return listing_cache.cached(key, compute) | computed

    listing = Listing(
        filterset_class=filters.RepositoryFilter,
        template=template,
        rows_name="repositories",
        export=export_repositories,
        summary=summary,
        page_by_ids=True,
        shown="for_cards",
    )
    context = {
        # The rendered sidebar depends on the parameters, the language and the catalogue
        # version only, and its links start again from page 1: every page of a search
        # shares it. The results are not kept apart: with Redis the page cache keeps
        # whole anonymous pages for a minute, and the fragment of a search nobody repeats
        # cost two round trips (ADR 13); signed-in visitors' results are rendered each time.
        "sidebar_key": listing_cache.key_for(
            f"sidebar:{get_language()}",
            request.GET,
            scope,
            every_param=True,
            leave_out={"page"},
            version=version,
        ),
        # The form's other fields depend on their own values only: most distinct searches
        # have none and share one rendering (Django's widgets are slow to render).
        "filters_key": listing_cache.key_for(
            f"filter-fields:{get_language()}",
            request.GET,
            leave_out=filters.FACETED_FILTERS,
            version=version,
        ),
        # Filters offered as selects of the facets' values; the form shows the others.
        "faceted_filters": filters.FACETED_FILTERS,
        **(extra or {}),
    }
    return listing.response(request, queryset, context=context)


def repository_list(request):
    return repository_listing(request, template="catalog/repository_list.html")


def awesome_list(request):
    """The Awesome selection: every repository the editors checked, best score first."""
    repositories = Repository.objects.visible().awesome().for_awesome().by_score()
    cards = [{"repository": repository, **card_details(repository)} for repository in repositories]
    return render(request, "catalog/awesome.html", {"cards": cards})


def score_method(request):
    """/depots/score/: how the reuse potential is computed, criterion by criterion."""
    return render(
        request,
        "catalog/score.html",
        {
            "page_title": _("Comment le potentiel de réutilisation est calculé"),
            "criteria": scoring.criteria(),
            "max_score": scoring.MAX_SCORE,
        },
    )


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
            "score": repository.explained_score(),
            "similar": similar_repositories(repository),
            "languages": repository.language_shares(),
            "manifests": manifests_of(repository),
        },
    )


def manifests_of(repository) -> list[dict]:
    """[{manifest, dependencies}] of a repository, by path: two queries."""
    dependencies: dict[str, list] = {}
    for dependency in Dependency.objects.filter(repository=repository).for_repository():
        dependencies.setdefault(dependency.manifest, []).append(dependency)
    return [
        {"manifest": manifest, "dependencies": dependencies.get(manifest.path, [])}
        for manifest in Manifest.objects.filter(repository=repository).order_by("path")
    ]


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


OWNER_LISTING = Listing(
    filterset_class=filters.OwnerFilter,
    template="catalog/owner_list.html",
    rows_name="owners",
    export=export_owners,
)


def owner_list(request):
    forges = list(Forge.objects.with_visible_repositories())
    return OWNER_LISTING.response(
        request,
        Owner.objects.listed().with_public_body(),
        context={
            "forges": forges,
            "kinds": Forge.kind_choices(forges),
            "ministries": PublicBody.objects.ministries().named().order_by("name"),
        },
    )


def owner_detail(request, host, path):
    owner = get_object_or_404(
        Owner.objects.select_related("forge__public_body__ministry", "public_body__ministry").defer(
            "raw", "conditional_state"
        ),
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


ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@require_safe
def crawler_catalog(request):
    """/api/v1/catalog.json (catalog.crawler): the file a worker wrote, as it is when the
    client takes gzip; a file older than the catalogue while the next is written; streamed
    from the database only when there is no file, or no worker to write one."""
    found = crawler.stored()
    fresh = found is not None and found[1].get("version") == listing_cache.catalog_version()
    if not fresh:
        tasks.schedule_crawler_catalog()
    if found is None or (not fresh and tasks.tasks_run_in_process()):
        response = _streamed_crawler_catalog()
    else:
        response = _crawler_catalog_file(request, *found)
    return response  # CORS: django-cors-headers (CORS_URLS_REGEX), with Vary: Origin


def _crawler_catalog_file(request, path, meta):
    modified = int(path.stat().st_mtime)
    tag = f"{meta.get('version')}:{meta.get('generated_at')}:{modified}".encode()
    # Weak: the same for the gzip body and the decompressed one (as GZipMiddleware does).
    etag = f'W/"{hashlib.sha256(tag).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
            response = FileResponse(
                path.open("rb"), content_type="application/json", filename="catalog.json"
            )
            response["Content-Encoding"] = "gzip"
        else:
            response = StreamingHttpResponse(
                crawler.decompressed(path), content_type="application/json"
            )
    patch_vary_headers(response, ["Accept-Encoding"])
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    return response


def _streamed_crawler_catalog():
    """The document from the database, one query read in chunks, in one of the exports'
    slots (at most EXPORT_MAX_CONCURRENT at once across the workers)."""

    def refused():
        response = JsonResponse(
            {"detail": "The catalogue is being generated; retry shortly."}, status=503
        )
        response["Retry-After"] = str(exports.EXPORT_RETRY_AFTER)
        return response

    return exports.in_export_slot(
        lambda: StreamingHttpResponse(
            crawler.chunks(crawler.rows()), content_type="application/json"
        ),
        refused=refused,
    )


def export_dependencies(queryset, fmt, request, *, name_parts=()):
    return exports.export_response(
        queryset, fmt=fmt, request=request, kind="dependencies", name_parts=name_parts
    )


DEPENDENCY_LISTING = Listing(
    filterset_class=filters.DependencyFilter,
    template="catalog/dependency_list.html",
    rows_name="packages",
    export=export_dependencies,
)


def dependency_list(request):
    """/dependances/: the packages the repositories declare, the most used first."""
    return DEPENDENCY_LISTING.response(
        request,
        Dependency.objects.of_visible_originals(),
        context={
            "ecosystems": Ecosystem.choices,
            "ministries": PublicBody.objects.ministries().named().order_by("name"),
        },
    )


# Requirement texts shown on a package's page, the most written first.
REQUIREMENT_LIMIT = 20
# Repositories listed on a package's page; the listing /depots/?dependency= has them all.
USER_LIMIT = 50


def dependency_detail(request, ecosystem, name):
    """/dependances/<ecosystem>/<name>/: who declares the package, with which requirement."""
    rows = Dependency.objects.of_visible_originals().filter(ecosystem=ecosystem, name=name)
    first = rows.values("purl").first()
    if first is None:
        raise Http404
    purl = first["purl"]
    runtime = rows.filter(scope=DependencyScope.RUNTIME)
    counts = rows.aggregate(
        every=Count("repository", distinct=True),
        runtime=Count("repository", distinct=True, filter=Q(scope=DependencyScope.RUNTIME)),
    )
    users = (
        rows.select_related("repository__forge", "repository__owner")
        .only(
            "manifest",
            "scope",
            "requirement",
            "repository__name",
            "repository__full_path",
            "repository__description",
            "repository__stars",
            "repository__forge__host",
            "repository__owner__path",
            "repository__owner__name",
        )
        .order_by("-repository__stars", "repository__full_path", "manifest", "scope")[:USER_LIMIT]
    )
    return render(
        request,
        "catalog/dependency_detail.html",
        {
            "ecosystem": ecosystem,
            "ecosystem_label": dict(Ecosystem.choices).get(ecosystem, ecosystem),
            "name": name,
            "purl": purl,
            "registry_url": registry_url(ecosystem, name),
            "counts": counts,
            "requirements": list(
                (runtime if counts["runtime"] else rows).requirement_spread()[:REQUIREMENT_LIMIT]
            ),
            "users": users,
            "user_limit": USER_LIMIT,
            "library": Library.objects.published()
            .filter(ecosystem=ecosystem, name=name)
            .for_list()
            .first(),
        },
    )


def export_libraries(queryset, fmt, request, *, name_parts=()):
    return exports.export_response(
        queryset.for_list(), fmt=fmt, request=request, kind="libraries", name_parts=name_parts
    )


LIBRARY_LISTING = Listing(
    filterset_class=filters.LibraryFilter,
    template="catalog/library_list.html",
    rows_name="libraries",
    export=export_libraries,
)


def library_list(request):
    """/bibliotheques/: the packages a registry says come from a catalogued repository
    (ADR 0021), the most depended upon first."""
    return LIBRARY_LISTING.response(
        request,
        Library.objects.published().with_dependents(),
        context={
            "ecosystems": Ecosystem.choices,
            "ministries": PublicBody.objects.ministries().named().order_by("name"),
        },
    )
