import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalog.models import Forge, Owner, Repository
from codegouv import statistics, tasks
from core.signals import catalogue_changed
from sill.enums import SoftwareStatus
from tests.factories import PublicBodyFactory, SoftwareFactory

pytestmark = pytest.mark.django_db


# --- Small local helpers ---------------------------------------------------------------


def make_forge(host="git.example.fr", kind="gitlab"):
    return Forge.objects.create(host=host, kind=kind, api_url=f"https://{host}/api/v4")


def make_owner(forge, path, name=""):
    return Owner.objects.create(forge=forge, path=path, name=name)


def make_repo(owner, name, **fields):
    full_path = f"{owner.path}/{name}"
    return Repository.objects.create(
        forge=owner.forge,
        owner=owner,
        remote_id=full_path,
        full_path=full_path,
        name=name,
        web_url=f"https://{owner.forge.host}/{full_path}",
        **fields,
    )


def ago(days):
    return timezone.now() - timedelta(days=days)


def created(year):
    return datetime(year, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
def catalogue():
    """Five visible repositories on two forges, three owners, and one gone repository."""
    gitlab = make_forge("git.example.fr", "gitlab")
    github = make_forge("github.com", "github")
    ville = make_owner(gitlab, "ville", "Ville d’Exemple")
    dinum = make_owner(github, "dinum", "DINUM")
    etalab = make_owner(github, "etalab")
    make_repo(
        ville,
        "app",
        language="Python",
        license_spdx="MIT",
        pushed_at=ago(10),
        created_at=created(2019),
        stars=5,
        archive_state="archived",
    )
    make_repo(
        ville,
        "site",
        language="Python",
        updated_at=ago(180),
        created_at=created(2020),
        stars=1,
        archive_state="absent",
    )
    make_repo(
        dinum,
        "api",
        language="JavaScript",
        license_spdx="EUPL-1.2",
        pushed_at=ago(700),
        updated_at=ago(730),
        created_at=created(2020),
        stars=10,
        is_archived=True,
    )
    make_repo(
        dinum,
        "lib",
        license_spdx="AGPL-3.0-only",
        pushed_at=ago(5 * 365),
        created_at=created(2015),
        is_fork=True,
    )
    make_repo(
        etalab,
        "x",
        language="Python",
        license_spdx="LicenseRef-proprietary",
        archive_state="archived_outdated",
    )
    make_repo(
        etalab,
        "old",
        language="Rust",
        license_spdx="MIT",
        pushed_at=ago(1),
        created_at=created(2024),
        stars=100,
        gone_since=ago(3),
    )


def make_many(count, *, prefix="r"):
    forge = Forge.objects.first() or make_forge()
    owner = make_owner(forge, f"{prefix}-owner")
    for index in range(count):
        make_repo(
            owner,
            f"{prefix}{index}",
            language=f"Lang{index % 20}",
            pushed_at=ago(index * 40),
            created_at=created(2010 + index % 15),
            license_spdx="MIT" if index % 2 else "0BSD",
        )


# --- The figures -----------------------------------------------------------------------


def test_figures_of_a_known_catalogue_leave_gone_repositories_out(catalogue):
    stats = statistics.compute_statistics()

    assert stats["totals"] == {
        "repositories": 5,
        "owners": 3,
        "forges": 2,
        "archived": 1,
        "forks": 1,
        "stars": 16,
        "free_license": 3,  # MIT, EUPL-1.2, AGPL-3.0-only
    }
    assert stats["languages"] == {
        "top": [{"key": "Python", "count": 3}, {"key": "JavaScript", "count": 1}],
        "other": 0,
        "unknown": 1,
    }
    assert {row["key"]: row["count"] for row in stats["licenses"]["top"]} == {
        "MIT": 1,
        "EUPL-1.2": 1,
        "AGPL-3.0-only": 1,
        "LicenseRef-proprietary": 1,
    }
    assert stats["licenses"]["unknown"] == 1  # NOASSERTION
    assert stats["forges"]["top"] == [
        {"key": "github.com", "count": 3},
        {"key": "git.example.fr", "count": 2},
    ]
    assert stats["years"] == {
        "rows": [
            {"key": 2015, "count": 1},
            {"key": 2019, "count": 1},
            {"key": 2020, "count": 2},
        ],
        "unknown": 1,
    }
    assert stats["activity"] == {
        "month": 1,
        "year": 1,
        "three_years": 1,
        "older": 1,
        "unknown": 1,
    }
    assert stats["top_owners"] == [
        {
            "host": "git.example.fr",
            "path": "ville",
            "name": "Ville d’Exemple",
            "repositories": 2,
            "stars": 6,
        },
        {"host": "github.com", "path": "dinum", "name": "DINUM", "repositories": 2, "stars": 10},
        {"host": "github.com", "path": "etalab", "name": "", "repositories": 1, "stars": 0},
    ]
    assert datetime.fromisoformat(stats["computed_at"]) <= timezone.now()


def test_only_the_top_fifteen_are_listed_the_rest_is_summed_up():
    make_many(40)

    stats = statistics.compute_statistics()

    assert len(stats["languages"]["top"]) == 15
    assert sum(row["count"] for row in stats["languages"]["top"]) == 30
    assert stats["languages"]["other"] == 10
    assert stats["licenses"]["other"] == 0
    assert stats["totals"]["free_license"] == 40


def test_an_empty_catalogue_has_zero_everywhere():
    stats = statistics.compute_statistics()

    assert stats["totals"]["repositories"] == 0
    assert stats["totals"]["stars"] == 0
    assert stats["top_owners"] == []


def test_the_figures_survive_a_trip_through_json(catalogue):
    import json

    stats = statistics.compute_statistics()

    assert json.loads(json.dumps(stats)) == stats


def test_the_number_of_queries_does_not_grow_with_the_catalogue(django_assert_num_queries):
    make_many(30, prefix="a")
    with django_assert_num_queries(14):
        first = statistics.compute_statistics()

    make_many(30, prefix="b")
    with django_assert_num_queries(14):
        second = statistics.compute_statistics()

    assert (first["totals"]["repositories"], second["totals"]["repositories"]) == (30, 60)


# --- Cache and refresh -----------------------------------------------------------------


def test_figures_are_served_from_the_cache_until_refreshed(catalogue, django_assert_num_queries):
    first = statistics.get_statistics()
    with django_assert_num_queries(0):
        assert statistics.get_statistics() == first

    make_repo(Owner.objects.get(path="etalab"), "new", language="Go")
    assert statistics.get_statistics()["totals"]["repositories"] == 5

    tasks.refresh_statistics.delay().get()

    assert statistics.get_statistics()["totals"]["repositories"] == 6


def test_a_cached_copy_of_another_shape_is_recomputed(catalogue):
    cache.set(statistics.CACHE_KEY, {"version": 0, "totals": {}}, timeout=None)

    assert statistics.get_statistics()["totals"]["repositories"] == 5


def test_many_runs_ending_together_enqueue_one_refresh(django_capture_on_commit_callbacks):
    with (
        mock.patch.object(tasks.refresh_statistics, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        for _run in range(300):
            tasks.schedule_statistics_refresh()
        # Nothing leaves before the harvest's transaction commits.
        apply_async.assert_not_called()

    assert len(callbacks) == 300
    apply_async.assert_called_once_with((), countdown=60)
    assert cache.get(statistics.REFRESH_FLAG_KEY) == 1


def test_the_refresh_task_lets_later_runs_schedule_another_one(
    catalogue, django_capture_on_commit_callbacks
):
    cache.add(statistics.REFRESH_FLAG_KEY, 1, timeout=120)

    assert tasks.refresh_statistics.delay().get() == 5

    assert cache.get(statistics.REFRESH_FLAG_KEY) is None
    with (
        mock.patch.object(tasks.refresh_statistics, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.schedule_statistics_refresh()
    apply_async.assert_called_once_with((), countdown=60)


def test_the_refresh_task_is_registered_under_its_name():
    from codegouv.celery import app

    task = app.tasks["catalog.refresh_statistics"]
    assert task.name == tasks.refresh_statistics.name
    assert task.soft_time_limit and task.time_limit


# --- The page --------------------------------------------------------------------------


def test_the_page_shows_the_figures_as_charts_and_tables(client, catalogue):
    response = client.get("/statistiques/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Statistiques</h1>" in html
    assert "<title>Statistiques — " in html
    assert 'aria-current="page">Statistiques</a>' in html
    # One chart per distribution, each a named group (its labels are links) followed by
    # its data table.
    charts = re.findall(
        r'<svg class="codegouv-bar-chart" role="group" aria-labelledby="([^"]+)"', html
    )
    assert charts == [
        "stats-languages-title",
        "stats-licenses-title",
        "stats-forges-title",
        "stats-years-title",
        "stats-activity-title",
        "stats-archive-title",
    ]
    for chart in charts:
        assert f'<title id="{chart}">' in html
    # Six charts, the organisations, the archived share per forge and per organisation
    # (no ministry here).
    assert html.count("<caption>") == 9
    assert "<script" not in html.split('id="content"')[1].split("</main>")[0]
    # Labels and figures, French formatting.
    assert "20,0\u00a0% des dépôts (1) n’ont pas de licence reconnue." in html  # NOASSERTION
    assert "60,0\u00a0%" in html  # free licences: 3 of 5
    assert "Moins d’un mois" in html
    assert "Ville d’Exemple" in html and 'href="https://git.example.fr/ville"' in html
    # The gone repository is nowhere.
    assert "Rust" not in html


def test_the_page_renders_with_an_empty_catalogue(client):
    response = client.get("/statistiques/")

    assert response.status_code == 200
    assert "Aucune donnée pour l’instant." in response.content.decode()


def test_the_page_exists_in_english(client, catalogue):
    response = client.get("/en/statistiques/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert 'role="group"' in html
    assert "60.0" in html


def test_the_page_reads_the_cache(client, catalogue, django_assert_max_num_queries):
    client.get("/statistiques/")

    with django_assert_max_num_queries(2):  # the session and user, never the figures
        response = client.get("/statistiques/")

    assert response.status_code == 200


def test_a_harvest_or_sill_import_ending_asks_for_a_refresh(django_capture_on_commit_callbacks):
    with (
        mock.patch.object(tasks.refresh_statistics, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        catalogue_changed.send(sender=Repository)
    apply_async.assert_called_once_with((), countdown=60)


# --- Scale, links, side menu -----------------------------------------------------------


def chart_rows(html, chart_id):
    """(label, link, bar width, value text) of each bar of one chart, in order."""
    svg = html.split(f'aria-labelledby="{chart_id}-title"')[1].split("</svg>")[0]
    return [
        (label, url.replace("&amp;", "&") if url else None, width, value)
        for url, label, value, width in re.findall(
            r'<g>\s*(?:<a class="codegouv-bar-chart__link" href="([^"]+)">)?'
            r'<text class="codegouv-bar-chart__label"[^>]*>([^<]*)</text>(?:</a>)?\s*'
            r'<text class="codegouv-bar-chart__value"[^>]*>([^<]*)</text>\s*'
            r'<rect class="codegouv-bar-chart__track"[^>]*></rect>\s*'
            r'<rect class="codegouv-bar-chart__bar"[^>]*width="([^"]+)%"',
            svg,
        )
    ]


def listed_count(client, url):
    html = client.get(url).content.decode()
    return int(re.search(r'id="result-count">\s*([\d\s\u00a0\u202f]+)', html)[1].replace(" ", ""))


def test_unknown_values_are_told_apart_and_bars_scale_to_the_largest_real_value(client, catalogue):
    owner = Owner.objects.get(path="etalab")
    for index in range(6):  # Far more repositories without a language than with Python.
        make_repo(owner, f"sans-langage-{index}")

    html = client.get("/statistiques/").content.decode()

    rows = chart_rows(html, "stats-languages")
    assert [(label, width) for label, _url, width, _value in rows] == [
        ("Python", "100.00"),
        ("JavaScript", "33.33"),
    ]
    assert "Non renseigné" not in html
    assert "63,6\u00a0% des dépôts (7) n’ont pas de langage renseigné." in html  # 7 of 11


def test_the_other_values_are_summed_up_in_a_sentence_not_a_bar(client):
    make_many(40)  # 20 languages: the top 15 are drawn, the 5 others summed up.

    html = client.get("/statistiques/").content.decode()

    assert len(chart_rows(html, "stats-languages")) == 15
    assert "25,0\u00a0% des dépôts (10) ont un autre langage que ceux du graphique." in html
    assert "Autres langages" not in html


def test_big_numbers_are_in_french_format(client):
    forge = make_forge()
    owner = make_owner(forge, "nombreux")
    Repository.objects.bulk_create(
        Repository(
            forge=forge,
            owner=owner,
            remote_id=f"nombreux/r{index}",
            full_path=f"nombreux/r{index}",
            name=f"r{index}",
            web_url=f"https://{forge.host}/nombreux/r{index}",
            language="Go" if index < 1234 else "",
        )
        for index in range(1300)
    )

    html = client.get("/statistiques/").content.decode()

    assert '<p class="fr-tile__title">1\u00a0300</p>' in html
    assert chart_rows(html, "stats-languages")[0][3] == "1\u00a0234 (94,9\u00a0%)"
    assert "5,1\u00a0% des dépôts (66) n’ont pas de langage renseigné." in html


@pytest.mark.parametrize("chart_id", ["stats-languages", "stats-licenses", "stats-forges"])
def test_each_bar_links_to_the_listing_showing_its_count(client, catalogue, chart_id):
    rows = chart_rows(client.get("/statistiques/").content.decode(), chart_id)

    assert rows
    for _label, url, _width, value in rows:
        assert url.startswith("/depots/?")
        assert listed_count(client, url) == int(value.split(" ")[0]), url


def test_the_bar_links_use_the_listing_filters(client, catalogue):
    html = client.get("/statistiques/").content.decode()

    links = {
        label: url
        for chart in ("stats-languages", "stats-licenses", "stats-forges")
        for label, url, _width, _value in chart_rows(html, chart)
    }
    assert links["Python"] == "/depots/?language=Python&archived=include"
    assert links["EUPL-1.2"] == "/depots/?license=EUPL-1.2&archived=include"
    assert links["git.example.fr"] == "/depots/?forge=git.example.fr&archived=include"
    # The repositories without a licence: the sentence links to them.
    assert 'href="/depots/?license=none&amp;archived=include">Voir ces dépôts</a>' in html
    assert listed_count(client, "/depots/?license=none&archived=include") == 1


def test_the_sill_charts_count_software_and_link_to_the_filtered_sill(client, catalogue):
    SoftwareFactory.create_batch(3, category="Bureautique", license="MPL-2.0")
    SoftwareFactory(category="Messagerie", license="GPL-3.0-or-later")
    SoftwareFactory(category="", license="MPL-2.0", status=SoftwareStatus.OBSERVATION)
    SoftwareFactory(category="Bureautique", proposed=True)  # not published: not counted

    html = client.get("/statistiques/").content.decode()

    for chart in ("stats-sill-categories", "stats-sill-licenses", "stats-sill-statuses"):
        rows = chart_rows(html, chart)
        assert rows, chart
        for _label, url, _width, value in rows:
            assert url.startswith("/sill/?")
            assert listed_count(client, url) == int(value.split(" ")[0]), url
        table = html.split(f'id="{chart}-data"')[1].split("</table>")[0]
        assert '<th scope="col" class="fr-cell--right">Logiciels</th>' in table
        assert "Dépôts" not in table
    assert "20,0\u00a0% des logiciels (1) n’ont pas de catégorie renseignée." in html
    # The repositories' tables still count repositories.
    assert (
        '<th scope="col" class="fr-cell--right">Dépôts</th>'
        in html.split('id="stats-languages-data"')[1].split("</table>")[0]
    )


def test_a_side_menu_leads_to_every_section(client, catalogue):
    SoftwareFactory()

    html = client.get("/statistiques/").content.decode()

    nav = re.search(r'<nav[^>]*class="(fr-sidemenu[^"]*)"[^>]*>(.*?)</nav>', html, re.S)
    classes, menu = nav.groups()
    assert "fr-sidemenu--sticky-full-height" in classes.split()
    assert 'aria-controls="fr-sidemenu-stats-wrapper"' in menu  # the mobile toggle
    targets = re.findall(r'href="#([^"]+)"', menu)
    assert targets == [
        "stats-totals",
        "stats-languages-heading",
        "stats-licenses-heading",
        "stats-forges-heading",
        "stats-years-heading",
        "stats-activity-heading",
        "stats-archive-heading",
        "stats-sill-categories-heading",
        "stats-sill-licenses-heading",
        "stats-sill-statuses-heading",
        "stats-owners-heading",
        "stats-archive-shares-heading",
    ]
    for target in targets:
        assert re.search(rf'<h2 id="{target}">', html), target


def test_the_archived_share_per_forge_and_organisation(client, catalogue):
    html = client.get("/statistiques/").content.decode()
    table = html.split('id="stats-archive-forges"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [re.findall(r">([^<>]+)</t[dh]>|>([^<>]+)</a>", row) for row in rows]
    flat = [[a or b for a, b in row] for row in cells]
    # git.example.fr: 2 repositories, both checked, one archived; github.com: 3, one
    # checked (outdated counts as archived).
    assert flat[0] == ["Forge", "Dépôts", "Vérifiés", "Archivés", "Part archivée"]
    assert flat[1:] == [
        ["github.com", "3", "1", "1", "100,0 %"],
        ["git.example.fr", "2", "2", "1", "50,0 %"],
    ]
    assert 'href="/depots/?swh=absent&amp;archived=include"' in html
    assert "Pas encore archivé" in html


def test_the_archived_share_per_ministry(client, catalogue):
    ministry = PublicBodyFactory(name="Ministère de l’Exemple", is_ministry=True)
    body = PublicBodyFactory(name="Préfecture d’Exemple", ministry=ministry)
    Owner.objects.filter(path="ville").update(public_body=body)
    statistics.refresh()
    html = client.get("/statistiques/").content.decode()
    table = html.split('id="stats-archive-ministries"')[1].split("</table>")[0]
    assert "Ministère de l’Exemple" in table and "50,0 %" in table
    assert f'href="/depots/?ministry={ministry.slug}&amp;archived=include"' in table
