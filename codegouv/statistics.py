"""The figures of the `/statistiques/` page: a handful of aggregate queries, kept in the cache.

- `compute_statistics()` reads the visible repositories with GROUP BY queries only (six in
  all, whatever the number of rows) and returns language-neutral, JSON-serialisable data:
  keys and counts, never translated labels, so one cached copy serves every language.
- `get_statistics()` serves that data from the cache, computing it when it is absent.
- `refresh()` recomputes them: the `refresh_statistics` task (codegouv.tasks), which
  `schedule_statistics_refresh()` enqueues a minute after a harvest run or a SILL import
  ends, however many end meanwhile.
- `statistics_page()` turns the data into labels, percentages, bar geometry and links to
  the listings filtered on each bar's value, for the template, which only displays them.
  The unknown values and the sum of the smaller ones are told apart in a sentence, never
  drawn as bars: the bars scale to the largest real value.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from catalog.enums import ArchiveState
from catalog.licenses import NOASSERTION, is_free_license
from catalog.models import LAST_ACTIVITY, Repository
from core.db import longer_statements
from sill.enums import SoftwareStatus
from sill.models import Software

logger = logging.getLogger(__name__)

CACHE_KEY = "catalog:statistics"
# Milliseconds the first computation may spend per statement in a web request.
STATISTICS_STATEMENT_TIMEOUT = 60_000
REFRESH_FLAG_KEY = "catalog:statistics:refresh-scheduled"
# Bump when the shape of compute_statistics()'s result changes: a cached copy of another
# version is ignored and recomputed instead of breaking the page after a deployment.
VERSION = 3

TOP = 15
TOP_OWNERS = 10
REFRESH_DELAY = 60  # seconds between the end of a harvest run and the refresh
REFRESH_FLAG_TIMEOUT = 120

# Activity buckets, by the most recent of the last push and the last update.
ACTIVITY_BUCKETS = ("month", "year", "three_years", "older", "unknown")
_MONTH, _YEAR, _THREE_YEARS = timedelta(days=30), timedelta(days=365), timedelta(days=3 * 365)


# --- Computing -------------------------------------------------------------------------


def _ranked(rows, key: str, *, unknown=None, top: int = TOP) -> dict:
    """{"top": [{"key", "count"}…], "other": count, "unknown": count} from grouped rows.

    `top` lists the largest known values; "other" sums the rest; "unknown" counts the rows
    whose value is `unknown` (no language, NOASSERTION), kept apart so the page can put
    them last.
    """
    counts: dict = {}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + row["count"]
    unknown_count = counts.pop(unknown, 0) if unknown is not None else 0
    ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return {
        "top": [{"key": name, "count": count} for name, count in ordered[:top]],
        "other": sum(count for _name, count in ordered[top:]),
        "unknown": unknown_count,
    }


def _grouped(queryset, field: str):
    return queryset.values(field).annotate(count=Count("pk")).order_by()


def compute_statistics() -> dict:
    """The catalogue's and the SILL's figures, in fourteen aggregate queries."""
    now = timezone.now()
    visible = Repository.objects.visible()

    # 1. Totals and activity buckets, in one aggregate.
    activity = visible.alias(last_activity=LAST_ACTIVITY)
    totals = activity.aggregate(
        repositories=Count("pk"),
        owners=Count("owner", distinct=True),
        forges=Count("forge", distinct=True),
        archived=Count("pk", filter=Q(is_archived=True)),
        forks=Count("pk", filter=Q(is_fork=True)),
        stars=Coalesce(Sum("stars"), 0),
        month=Count("pk", filter=Q(last_activity__gte=now - _MONTH)),
        year=Count("pk", filter=Q(last_activity__lt=now - _MONTH, last_activity__gte=now - _YEAR)),
        three_years=Count(
            "pk", filter=Q(last_activity__lt=now - _YEAR, last_activity__gte=now - _THREE_YEARS)
        ),
        older=Count("pk", filter=Q(last_activity__lt=now - _THREE_YEARS)),
        unknown=Count("pk", filter=Q(last_activity__isnull=True)),
    )
    activity_counts = {bucket: totals.pop(bucket) for bucket in ACTIVITY_BUCKETS}

    # 2. Languages ("" when the forge reports none).
    languages = _ranked(_grouped(visible, "language"), "language", unknown="")

    # 3. Licences: every distinct id comes back (a few hundred at most), to count the free ones.
    license_rows = [
        {"license": row["license_spdx"] or NOASSERTION, "count": row["count"]}
        for row in _grouped(visible, "license_spdx")
    ]
    licenses = _ranked(license_rows, "license", unknown=NOASSERTION)
    totals["free_license"] = sum(
        row["count"] for row in license_rows if is_free_license(row["license"])
    )

    # 4. Forge hosts.
    forges = _ranked(_grouped(visible, "forge__host"), "forge__host")

    # 5. Creation years (in the site's time zone); None when the forge gave no date.
    year_rows = (
        visible.annotate(year=ExtractYear("created_at"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("year")
    )
    years = [{"key": row["year"], "count": row["count"]} for row in year_rows]
    unknown_year = sum(row["count"] for row in years if row["key"] is None)

    # 6. The owners with the most visible repositories.
    owner_rows = (
        visible.values("owner", "owner__path", "owner__name", "owner__forge__host")
        .annotate(repositories=Count("pk"), stars=Coalesce(Sum("stars"), 0))
        .order_by("-repositories", "owner__forge__host", "owner__path")[:TOP_OWNERS]
    )
    top_owners = [
        {
            "host": row["owner__forge__host"],
            "path": row["owner__path"],
            "name": row["owner__name"],
            "repositories": row["repositories"],
            "stars": row["stars"],
        }
        for row in owner_rows
    ]

    # 7. Software Heritage: the states, and the archived share per forge, organisation
    # and ministry (largest first).
    archive = {
        "states": {
            row["archive_state"]: row["count"] for row in _grouped(visible, "archive_state")
        },
        "forges": _archive_shares(visible, "forge__host", TOP),
        "owners": _archive_shares(visible, ("owner__forge__host", "owner__path"), TOP_OWNERS),
        "ministries": _archive_shares(
            visible.with_public_body().exclude(ministry_slug=None),
            ("ministry_slug", "ministry_name"),
            TOP,
        ),
    }

    # 8–10. The SILL: software by category, licence and status.
    sill = {
        "total": Software.objects.published().count(),
        "categories": _ranked(
            _grouped(Software.objects.published(), "category"), "category", unknown=""
        ),
        "licenses": _ranked(
            _grouped(Software.objects.published(), "license"), "license", unknown=""
        ),
        "statuses": {
            row["status"]: row["count"] for row in _grouped(Software.objects.published(), "status")
        },
    }

    return {
        "version": VERSION,
        "computed_at": now.isoformat(),
        "sill": sill,
        "totals": totals,
        "languages": languages,
        "licenses": licenses,
        "forges": forges,
        "years": {
            "rows": [row for row in years if row["key"] is not None],
            "unknown": unknown_year,
        },
        "activity": activity_counts,
        "top_owners": top_owners,
        "archive": archive,
    }


IN_ARCHIVE = Q(archive_state__in=[ArchiveState.ARCHIVED, ArchiveState.OUTDATED])


def _archive_shares(queryset, keys, top: int) -> list[dict]:
    """[{"key": [values of `keys`], "repositories", "checked", "archived"}] of the `top`
    largest groups: how many of their repositories the archive check reached, and holds."""
    keys = (keys,) if isinstance(keys, str) else keys
    rows = (
        queryset.values(*keys)
        .annotate(
            repositories=Count("pk"),
            checked=Count("pk", filter=~Q(archive_state=ArchiveState.UNKNOWN)),
            archived=Count("pk", filter=IN_ARCHIVE),
        )
        .order_by("-repositories", *keys)[:top]
    )
    return [
        {
            "key": [row[key] for key in keys],
            **{name: row[name] for name in ("repositories", "checked", "archived")},
        }
        for row in rows
    ]


# --- Caching and refreshing ------------------------------------------------------------


def store_statistics() -> dict:
    statistics = compute_statistics()
    cache.set(CACHE_KEY, statistics, timeout=None)
    return statistics


def get_statistics() -> dict:
    """The figures from the cache (kept until the next refresh), computed when absent."""
    statistics = cache.get(CACHE_KEY)
    if not statistics or statistics.get("version") != VERSION:
        # Normally the refresh task has done it; a visitor who comes first waits for the
        # whole-catalogue aggregates, which may outlast the web statement timeout.
        with longer_statements(STATISTICS_STATEMENT_TIMEOUT):
            statistics = store_statistics()
    return statistics


def refresh() -> int:
    """Recompute the figures (the refresh_statistics task): the number of repositories."""
    # Runs ending from now on ask for another refresh: their writes may come too late
    # for the queries below.
    cache.delete(REFRESH_FLAG_KEY)
    statistics = store_statistics()
    return statistics["totals"]["repositories"]


# --- Page ------------------------------------------------------------------------------

# SVG geometry of one bar chart row (px): the label line, then the bar under it.
ROW_HEIGHT = 44
LABEL_BASELINE = 16
BAR_OFFSET = 24
SVG_LABEL_LENGTH = 36


def _percent(count: int, total: int) -> float:
    return round(count * 100 / total, 1) if total else 0.0


def bar_chart(items: list[tuple], *, total: int) -> dict:
    """Rows and height for components/bar_chart.html, from (label, count, url) triples.

    `percent` is the share of `total`; `bar` the bar's length in % of the chart's width,
    the largest count filling it; `url` the listing filtered on the row's value (or None).
    Geometry is formatted here so that the template never localises it ("12,5" is not an
    SVG length).
    """
    largest = max((count for _label, count, _url in items), default=0)
    rows = []
    for index, (label, count, url) in enumerate(items):
        top = index * ROW_HEIGHT
        bar = count * 100 / largest if largest else 0
        short = label if len(label) <= SVG_LABEL_LENGTH else label[: SVG_LABEL_LENGTH - 1] + "…"
        rows.append(
            {
                "label": label,
                "short_label": short,
                "url": url,
                "value": count,
                "percent": _percent(count, total),
                "bar": f"{max(bar, 0.5) if count else 0:.2f}",
                "label_y": str(top + LABEL_BASELINE),
                "bar_y": str(top + BAR_OFFSET),
            }
        )
    return {"rows": rows, "height": str(len(rows) * ROW_HEIGHT)}


def filtered(url_name: str, **params) -> str:
    """The address of the listing `url_name` filtered on `params`."""
    return f"{reverse(url_name)}?{urlencode(params)}"


def repositories_where(**params) -> str:
    """The repository listing showing exactly the repositories the page counts: archived
    ones included (the listing hides them by default, the figures count them)."""
    return filtered("catalog:index", **params, archived="include")


def software_where(**params) -> str:
    return filtered("sill:index", **params)


def _top(ranked: dict, *, link=None) -> list[tuple]:
    """The largest known values, each with the listing filtered on it (`link(key)`)."""
    return [
        (str(entry["key"]), entry["count"], link(entry["key"]) if link else None)
        for entry in ranked["top"]
    ]


def _apart(count: int, total: int, sentence: str, url: str | None = None) -> list[dict]:
    """A share kept out of a chart (values unknown, or the sum of the smaller ones), told in
    a sentence so that it never dwarfs the bars: `sentence` has %(share)s and %(count)s."""
    if not count:
        return []
    share = _("%(percent)s\u00a0%%") % {"percent": number_format(_percent(count, total), 1)}
    text = sentence % {"share": share, "count": number_format(count, force_grouping=True)}
    return [{"text": text, "url": url}]


def _charts(statistics: dict) -> list[dict]:
    total = statistics["totals"]["repositories"]
    languages, licenses, forges = (
        statistics["languages"],
        statistics["licenses"],
        statistics["forges"],
    )
    years = [(str(row["key"]), row["count"], None) for row in statistics["years"]["rows"]]
    activity_labels = {
        "month": _("Moins d’un mois"),
        "year": _("De 1 à 12 mois"),
        "three_years": _("De 1 à 3 ans"),
        "older": _("Plus de 3 ans"),
    }
    activity = [
        (label, statistics["activity"][bucket], None) for bucket, label in activity_labels.items()
    ]
    charts = [
        {
            "id": "stats-languages",
            "heading": _("Langages"),
            "intro": _("Le langage principal de chaque dépôt, tel que la forge le détecte."),
            "title": _("Répartition des dépôts par langage principal"),
            "category": _("Langage"),
            "items": _top(languages, link=lambda key: repositories_where(language=key)),
            "apart": _apart(
                languages["unknown"],
                total,
                _("%(share)s des dépôts (%(count)s) n’ont pas de langage renseigné."),
            )
            + _apart(
                languages["other"],
                total,
                _("%(share)s des dépôts (%(count)s) ont un autre langage que ceux du graphique."),
            ),
        },
        {
            "id": "stats-licenses",
            "heading": _("Licences"),
            "intro": _("La licence déclarée par chaque dépôt, sous son identifiant SPDX."),
            "title": _("Répartition des dépôts par licence"),
            "category": _("Licence (identifiant SPDX)"),
            "items": _top(licenses, link=lambda key: repositories_where(license=key)),
            "apart": _apart(
                licenses["unknown"],
                total,
                _("%(share)s des dépôts (%(count)s) n’ont pas de licence reconnue."),
                repositories_where(license="none"),
            )
            + _apart(
                licenses["other"],
                total,
                _(
                    "%(share)s des dépôts (%(count)s) ont une autre licence que celles du "
                    "graphique."
                ),
            ),
        },
        {
            "id": "stats-forges",
            "heading": _("Forges"),
            "intro": _("Les forges sur lesquelles les dépôts sont publiés."),
            "title": _("Répartition des dépôts par forge"),
            "category": _("Forge"),
            "items": _top(forges, link=lambda key: repositories_where(forge=key)),
            "apart": _apart(
                forges["other"],
                total,
                _("%(share)s des dépôts (%(count)s) sont publiés sur d’autres forges."),
            ),
        },
        {
            "id": "stats-years",
            "heading": _("Année de création"),
            "intro": _("L’année de création de chaque dépôt sur sa forge."),
            "title": _("Répartition des dépôts par année de création"),
            "category": _("Année"),
            "items": years,
            "apart": _apart(
                statistics["years"]["unknown"],
                total,
                _("%(share)s des dépôts (%(count)s) n’ont pas de date de création connue."),
            ),
        },
        {
            "id": "stats-activity",
            "heading": _("Activité"),
            "intro": _(
                "Le temps écoulé depuis la dernière activité de chaque dépôt : son dernier "
                "envoi de code ou sa dernière mise à jour, la plus récente des deux."
            ),
            "title": _("Répartition des dépôts par ancienneté de la dernière activité"),
            "category": _("Dernière activité"),
            "items": activity,
            "apart": _apart(
                statistics["activity"]["unknown"],
                total,
                _("%(share)s des dépôts (%(count)s) n’ont pas de date d’activité connue."),
            ),
        },
    ]
    states = statistics["archive"]["states"]
    charts.append(
        {
            "id": "stats-archive",
            "heading": _("Archivage Software Heritage"),
            "intro": _(
                "Ce que l’archive Software Heritage détient de chaque dépôt, vérifié chaque "
                "semaine et après chaque envoi de code."
            ),
            "title": _("Répartition des dépôts par état d’archivage"),
            "category": _("État d’archivage"),
            "items": [
                (str(state.label), states.get(state.value, 0), repositories_where(swh=state))
                for state in ArchiveState
            ],
        }
    )
    sill = statistics["sill"]
    if sill["total"]:
        sill_charts = [
            {
                "id": "stats-sill-categories",
                "heading": _("SILL : catégories"),
                "intro": _("Les logiciels du socle interministériel par catégorie."),
                "title": _("Répartition des logiciels du SILL par catégorie"),
                "category": _("Catégorie"),
                "items": _top(sill["categories"], link=lambda key: software_where(category=key)),
                "apart": _apart(
                    sill["categories"]["unknown"],
                    sill["total"],
                    _("%(share)s des logiciels (%(count)s) n’ont pas de catégorie renseignée."),
                )
                + _apart(
                    sill["categories"]["other"],
                    sill["total"],
                    _(
                        "%(share)s des logiciels (%(count)s) sont dans une autre catégorie que "
                        "celles du graphique."
                    ),
                ),
                "total": sill["total"],
            },
            {
                "id": "stats-sill-licenses",
                "heading": _("SILL : licences"),
                "intro": _("Les licences des logiciels du socle interministériel."),
                "title": _("Répartition des logiciels du SILL par licence"),
                "category": _("Licence"),
                "items": _top(sill["licenses"], link=lambda key: software_where(license=key)),
                "apart": _apart(
                    sill["licenses"]["unknown"],
                    sill["total"],
                    _("%(share)s des logiciels (%(count)s) n’ont pas de licence renseignée."),
                )
                + _apart(
                    sill["licenses"]["other"],
                    sill["total"],
                    _(
                        "%(share)s des logiciels (%(count)s) ont une autre licence que celles "
                        "du graphique."
                    ),
                ),
                "total": sill["total"],
            },
            {
                "id": "stats-sill-statuses",
                "heading": _("SILL : statuts"),
                "intro": _("Recommandés, en observation ou déréférencés."),
                "title": _("Répartition des logiciels du SILL par statut"),
                "category": _("Statut"),
                "items": [
                    (str(label), sill["statuses"].get(value, 0), software_where(status=value))
                    for value, label in SoftwareStatus.choices
                ],
                "total": sill["total"],
            },
        ]
        for chart in sill_charts:
            chart["unit"] = _("Logiciels")
        charts += sill_charts
    for chart in charts:
        chart.setdefault("unit", _("Dépôts"))
        chart.update(bar_chart(chart.pop("items"), total=chart.pop("total", total)))
    return charts


def _sections(charts: list[dict]) -> list[dict]:
    """The side menu's entries: the page's sections, in order."""
    entries = [
        (_("En chiffres"), "stats-totals"),
        *((chart["heading"], f"{chart['id']}-heading") for chart in charts),
        (_("Organisations"), "stats-owners-heading"),
        (_("Part archivée"), "stats-archive-shares-heading"),
    ]
    # The keys django-dsfr's sidemenu reads: no entry is the current page.
    return [{"label": label, "link": f"#{target}", "is_active": False} for label, target in entries]


def _figures(totals: dict) -> list[dict]:
    total = totals["repositories"]
    return [
        {"value": total, "percent": None, "label": _("dépôts publics")},
        {"value": totals["owners"], "percent": None, "label": _("organisations")},
        {"value": totals["forges"], "percent": None, "label": _("forges")},
        {
            "value": None,
            "percent": _percent(totals["free_license"], total),
            "label": _("des dépôts sous licence libre"),
        },
        {
            "value": None,
            "percent": _percent(totals["archived"], total),
            "label": _("des dépôts archivés"),
        },
        {"value": totals["stars"], "percent": None, "label": _("étoiles")},
    ]


def _archive_tables(archive: dict) -> list[dict]:
    """The archived share per forge, organisation and ministry, for
    catalog/tables/archive_shares.html: a label, a listing link, the counts and the share
    of the checked repositories that the archive holds."""

    def rows(entries, label, link):
        return [
            {
                "label": label(entry["key"]),
                "url": link(entry["key"]),
                "repositories": entry["repositories"],
                "checked": entry["checked"],
                "archived": entry["archived"],
                "percent": _percent(entry["archived"], entry["checked"])
                if entry["checked"]
                else None,
            }
            for entry in entries
        ]

    return [
        {
            "id": "stats-archive-forges",
            "caption": _("Part archivée par forge"),
            "category": _("Forge"),
            "rows": rows(
                archive["forges"], lambda key: key[0], lambda key: repositories_where(forge=key[0])
            ),
        },
        {
            "id": "stats-archive-owners",
            "caption": _("Part archivée des dix organisations publiant le plus de dépôts"),
            "category": _("Organisation"),
            "rows": rows(
                archive["owners"],
                lambda key: f"{key[0]}/{key[1]}",
                lambda key: repositories_where(owner=f"{key[0]}/{key[1]}"),
            ),
        },
        {
            "id": "stats-archive-ministries",
            "caption": _("Part archivée par ministère"),
            "category": _("Ministère"),
            "rows": rows(
                archive["ministries"],
                lambda key: key[1],
                lambda key: repositories_where(ministry=key[0]),
            ),
        },
    ]


@require_safe
def statistics_page(request):
    statistics = get_statistics()
    computed_at = datetime.fromisoformat(statistics["computed_at"])
    body_key = make_template_fragment_key(
        "statistics_body", [get_language(), computed_at.isoformat()]
    )
    if cache.has_key(body_key):
        # The template's cached body needs nothing else: skip preparing the charts.
        return render(request, "catalog/statistics.html", {"computed_at": computed_at})
    charts = _charts(statistics)
    return render(
        request,
        "catalog/statistics.html",
        {
            "computed_at": computed_at,
            "figures": _figures(statistics["totals"]),
            "charts": charts,
            "sections": _sections(charts),
            "archive_tables": _archive_tables(statistics["archive"]),
            "top_owners": [
                {**owner, "url": f"https://{owner['host']}/{owner['path']}"}
                for owner in statistics["top_owners"]
            ],
        },
    )
