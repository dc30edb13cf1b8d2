"""The ministries and public bodies: what each publishes on the forges, uses from the SILL
and contributes to free software (/ministeres/, /ministeres/<slug>/, /organismes/<slug>/).

They live in the composition root because their figures join the catalogue, the SILL and
the contributions. A body's repositories are those of its forge accounts, or of the forges
it runs whole (OwnerQuerySet.of_public_bodies); a ministry's, those of the bodies whose
ministry it is (set from the State's directory or, for a ministry itself, from
top_organizations.yml).
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext
from django.views.decorators.http import require_safe

from catalog import listing_cache
from catalog.models import Owner, PublicBody, Repository
from contributions.models import Contribution
from sill.models import Declaration

TOP_OWNERS = 10
TOP_REPOSITORIES = 6
MAX_BODIES = 200

# The figures of a ministry or a body, in the order shown: (key, label for n, column title).
FIGURES = (
    ("bodies", lambda n: npgettext("chiffre", "organisme", "organismes", n), _("Organismes")),
    (
        "owners",
        lambda n: npgettext(
            "chiffre", "organisation sur les forges", "organisations sur les forges", n
        ),
        _("Organisations"),
    ),
    ("repositories", lambda n: npgettext("chiffre", "dépôt", "dépôts", n), _("Dépôts")),
    (
        "contributions",
        lambda n: npgettext(
            "chiffre", "contribution aux logiciels libres", "contributions aux logiciels libres", n
        ),
        _("Contributions"),
    ),
    (
        "declarations",
        lambda n: npgettext(
            "chiffre", "déclaration d’usage du SILL", "déclarations d’usage du SILL", n
        ),
        _("Déclarations d’usage du SILL"),
    ),
)


def _figure_list(values: dict) -> list[dict]:
    """The figures `values` has, in FIGURES' order, labelled."""
    return [
        {"key": key, "label": label(values[key]), "title": title, "value": values[key]}
        for key, label, title in FIGURES
        if key in values
    ]


# Every figure at 0: a ministry with nothing yet still fills its table row.
NO_FIGURES = {key: 0 for key, _label, _title in FIGURES}


def ministry_figures() -> dict[str, dict]:
    """{ministry slug: {figure: count}} for every ministry, in a handful of grouped
    queries whatever their number; cached until the catalogue changes."""
    return listing_cache.cached(
        f"public_bodies:ministries:{listing_cache.catalog_version()}", _compute_ministry_figures
    )


def _compute_ministry_figures() -> dict[str, dict]:
    figures: dict[str, Counter] = {}

    def add(slug, key, n):
        if slug:
            figures.setdefault(slug, Counter())[key] += n

    bodies = PublicBody.objects.named().exclude(ministry=None).order_by()
    for slug, n in bodies.values_list("ministry__slug").annotate(n=Count("pk")):
        add(slug, "bodies", n)
    ministry_of_owner = dict(
        Owner.objects.listed().with_public_body().values_list("pk", "ministry_slug")
    )
    for slug in ministry_of_owner.values():
        add(slug, "owners", 1)
    per_owner = (
        Repository.objects.visible()
        .filter(is_archived=False, owner__in=list(ministry_of_owner))
        .order_by()
        .values_list("owner")
        .annotate(n=Count("pk"))
    )
    for owner_id, n in per_owner:
        add(ministry_of_owner[owner_id], "repositories", n)
    for row in Contribution.objects.published().counts_by_ministry():
        add(row["ministry_slug"], "contributions", row["n"])
    for row in Declaration.objects.published().counts_by_ministry():
        add(row["ministry_slug"], "declarations", row["n"])
    return {slug: dict(counts) for slug, counts in figures.items()}


def figures_of(bodies, *, count_bodies: bool) -> dict:
    """The figures of a set of bodies (a queryset); "bodies" only when `count_bodies` (a
    body's own page would read "1 organisme")."""
    owners = Owner.objects.listed().of_public_bodies(bodies)
    figures = {"bodies": bodies.named().count()} if count_bodies else {}
    return figures | {
        "owners": owners.count(),
        "repositories": Repository.objects.visible()
        .filter(is_archived=False, owner__in=owners.values("pk"))
        .count(),
        "contributions": Contribution.objects.published().filter(public_body__in=bodies).count(),
        "declarations": Declaration.objects.published().filter(public_body__in=bodies).count(),
    }


@require_safe
def ministry_list(request):
    figures = ministry_figures()
    ministries = [
        {"body": ministry, "figures": _figure_list(NO_FIGURES | figures.get(ministry.slug, {}))}
        for ministry in PublicBody.objects.ministries().named().order_by("name")
    ]
    # The ministries that publish most first; those with nothing yet at the end, by name.
    ministries.sort(key=lambda row: not any(f["value"] for f in row["figures"][1:]))
    return render(
        request,
        "public_bodies/ministry_list.html",
        {"ministries": ministries, "page_title": _("Ministères")},
    )


@require_safe
def ministry_detail(request, slug):
    ministry = get_object_or_404(PublicBody.objects.select_related("parent"), slug=slug)
    if not ministry.is_ministry:
        return redirect("public_body", slug=ministry.slug)
    bodies = PublicBody.objects.filter(ministry=ministry)
    return _body_page(request, ministry, bodies, filter_name="ministry")


@require_safe
def public_body_detail(request, slug):
    body = get_object_or_404(PublicBody.objects.select_related("parent", "ministry"), slug=slug)
    return _body_page(
        request, body, PublicBody.objects.filter(pk=body.pk), filter_name="public_body"
    )


def _body_page(request, body, bodies, *, filter_name):
    owners = Owner.objects.listed().of_public_bodies(bodies)
    repositories = (
        Repository.objects.visible()
        .filter(is_archived=False, owner__in=owners.values("pk"))
        .for_list()
        .order_by(F("pushed_at").desc(nulls_last=True), "full_path")
    )
    members = (
        bodies.named().exclude(pk=body.pk) if body.is_ministry else body.children.named()
    ).order_by("name")
    return render(
        request,
        "public_bodies/detail.html",
        {
            "body": body,
            "page_title": str(body),
            "figures": _figure_list(figures_of(bodies, count_bodies=body.is_ministry)),
            "members": members[:MAX_BODIES],
            "member_count": members.count(),
            "owners": owners.select_related("forge").order_by("-repository_count", "path")[
                :TOP_OWNERS
            ],
            "repositories": repositories[:TOP_REPOSITORIES],
            "query": f"{filter_name}={body.slug}",
        },
    )
