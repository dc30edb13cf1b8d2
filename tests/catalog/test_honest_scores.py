"""Scores that tell "not checked" from "absent": the repository page, the listing's sort,
the page that explains the score, the harvest, the demo data and the data migration."""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from catalog.exports import repository_rows
from catalog.models import Forge, Owner, Repository
from catalog.scoring import score_fields
from catalog.services.harvest import harvest_owner
from tests.factories import OwnerFactory, RepositoryFactory
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.django_db


def scored(*, root_files, license_listed=True, **values):
    """A repository's fields with the score the harvest would store for them."""
    now = timezone.now()
    values = {
        "license_spdx": "MIT",
        "license_reported": "MIT",
        "root_files": root_files,
        "publiccode_valid": False,
        "description": "Un outil",
        "pushed_at": now - timedelta(days=10),
        "updated_at": None,
        "is_archived": False,
        "is_fork": False,
        "stars": 10,
        "forks": 0,
        **values,
    }
    return {**values, **score_fields(values, now, license_listed=license_listed)}


def check_item(html, label):
    """The text of the score list item that names `label`, tags stripped."""
    items = re.findall(r"<li class=\"fr-mb-1w\">(.*?)</li>", html, re.S)
    [item] = [i for i in items if label in i]
    return " ".join(re.sub(r"<[^>]+>", " ", item).split())


def test_root_files_never_harvested_show_not_checked_and_do_not_lower_the_score(client):
    repository = RepositoryFactory(name="app", **scored(root_files=None))

    html = client.get(repository.get_absolute_url()).content.decode()

    assert check_item(html, "README présent") == "README présent (15 points) non vérifié"
    assert "non vérifié" in check_item(html, "Guide de contribution")
    assert "non vérifié" in check_item(html, "publiccode.yml valide")
    assert check_item(html, "Licence libre") == "Licence libre (20 points) vérifié"
    # Every checked criterion passed: the 40 unchecked points are not counted as lost.
    assert "Potentiel de réutilisation : 100/100" in html
    assert "Calculé sur les 60 points qui ont pu être vérifiés (60 obtenus)" in html
    assert 'href="/depots/score/"' in html


def test_harvested_root_files_without_a_readme_show_it_absent(client):
    repository = RepositoryFactory(name="app", **scored(root_files=["LICENSE", "CONTRIBUTING"]))

    html = client.get(repository.get_absolute_url()).content.decode()

    assert check_item(html, "README présent") == "README présent (15 points) absent"
    assert "vérifié" in check_item(html, "Guide de contribution")
    assert "absent" in check_item(html, "publiccode.yml valide")
    assert "Potentiel de réutilisation : 70/100" in html
    assert "70 points obtenus sur 100, tous les critères ayant pu être vérifiés." in html


def test_the_score_page_lists_each_criterion_with_its_points(client):
    response = client.get("/depots/score/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Comment le potentiel de réutilisation est calculé</h1>" in html
    rows = {
        re.sub(r"<[^>]+>", "", label).strip(): int(points)
        for label, points in re.findall(
            r"<tr><th scope=\"row\">(.*?)</th><td>(\d+)</td>", html, re.S
        )
    }
    assert rows == {
        "Licence libre": 20,
        "README présent": 15,
        "Guide de contribution (CONTRIBUTING)": 10,
        "publiccode.yml valide": 15,
        "Description renseignée": 10,
        "Activité dans les 12 derniers mois": 10,
        "Non archivé": 8,
        "Dépôt original (pas une copie)": 7,
        "Signes d’une communauté (étoiles et copies ≥ 5)": 5,
        "Total": 100,
    }
    assert "non vérifié" in html
    assert "ne comptent ni pour ni contre" in html
    with_english = client.get("/en/depots/score/")
    assert with_english.status_code == 200


def test_the_score_page_is_linked_from_the_listing_and_listed_in_the_sitemaps(client):
    RepositoryFactory()
    assert 'href="/depots/score/"' in client.get("/depots/").content.decode()
    assert (
        "<loc>http://testserver/depots/score/</loc>"
        in client.get("/sitemap-static.xml").content.decode()
    )
    assert 'href="/depots/score/"' in client.get("/plan-du-site/").content.decode()


def listed(response):
    return re.findall(r'href="/depots/github\.com/[^/]+/([^/"]+)/"', response.content.decode())


def test_the_sort_never_ranks_a_repository_down_for_what_could_not_be_checked(client):
    owner = OwnerFactory()
    # 60/100, everything checked: README, CONTRIBUTING and publiccode.yml missing
    RepositoryFactory(owner=owner, name="sans-readme", **scored(root_files=["LICENSE"]))
    # 100/100 over 60 points: nothing that could be checked was missing
    RepositoryFactory(owner=owner, name="inconnu", **scored(root_files=None))
    # 100/100 over 100 points: at equal score, more evidence first
    every_file = ["README", "CONTRIBUTING", "LICENSE"]
    RepositoryFactory(
        owner=owner, name="complet", **scored(root_files=every_file, publiccode_valid=True)
    )

    assert listed(client.get("/depots/?sort=score")) == ["complet", "inconnu", "sans-readme"]
    cards = client.get("/depots/?sort=score").content.decode()
    assert "Potentiel de réutilisation 100/100 (sur 60 points vérifiables)" in cards


def test_a_harvest_that_lists_the_root_files_checks_them():
    server = FakeForge("gitlab").start()
    try:
        server.add_repo("dinum", "app", files={"CONTRIBUTING.md": "x"})
        forge = Forge.objects.create(host="gitlab.test", kind="gitlab", api_url=server.api_url)
        owner = Owner.objects.create(forge=forge, path="dinum")

        harvest_owner(owner_id=owner.pk)
    finally:
        server.stop()

    repository = Repository.objects.get(full_path="dinum/app")
    states = {c.code: c.state for c in repository.explained_checks()}
    assert states["readme"] == states["publiccode"] == "failed"
    assert states["contributing"] == "passed"
    # No LICENSE file and GitLab's listing says nothing of licences: known to have none.
    assert states["free_license"] == "failed"
    assert repository.score_checkable == 100


def test_a_failed_inspection_leaves_the_root_files_unknown(settings):
    settings.HARVEST_READ_TIMEOUT = 1
    settings.HARVEST_MAX_RETRIES = 0
    server = FakeForge("github").start()
    try:
        server.add_repo("dinum", "app", files={"README.md": "x"})
        forge = Forge.objects.create(host="github.test", kind="github", api_url=server.api_url)
        owner = Owner.objects.create(forge=forge, path="dinum")
        # A new repository's root is listed from its tree (manifests are read), a known
        # one's from its contents: both fail here.
        server.fail_next(status=500, times=5, path=r"/contents|/git/trees")

        harvest_owner(owner_id=owner.pk)
    finally:
        server.stop()

    repository = Repository.objects.get(full_path="dinum/app")
    assert repository.root_files is None
    states = {c.code: c.state for c in repository.explained_checks()}
    assert states["readme"] == "unchecked"
    assert repository.score_checkable == 60


def test_the_data_migration_marks_never_listed_root_files_unknown_and_rescores():
    rescore = importlib.import_module("catalog.migrations.0013_rescore_honestly").rescore
    stale = [{"code": "readme", "passed": False, "weight": 15, "label": "README présent"}]
    now = timezone.now()
    never = RepositoryFactory(
        root_files=[], inspected_activity_at=None, pushed_at=now, score_checks=stale
    )
    listed_empty = RepositoryFactory(
        root_files=[], inspected_activity_at=now, pushed_at=now, score_checks=stale
    )

    rescore(apps, None)

    never.refresh_from_db()
    listed_empty.refresh_from_db()
    assert never.root_files is None
    assert {c.code: c.state for c in never.explained_checks()}["readme"] == "unchecked"
    assert never.score_checkable == 60  # README, CONTRIBUTING, publiccode.yml: unknown
    assert listed_empty.root_files == []
    assert {c.code: c.state for c in listed_empty.explained_checks()}["readme"] == "failed"
    assert listed_empty.score_checkable == 100


def test_exports_leave_unknown_root_files_empty_not_false():
    RepositoryFactory(name="inconnu", **scored(root_files=None))
    RepositoryFactory(name="liste", **scored(root_files=["LICENSE"]))

    rows = {
        row["name"]: row
        for row in repository_rows(Repository.objects.visible(), base_url="http://testserver")
    }

    unknown, listed = rows["inconnu"], rows["liste"]
    assert unknown["has_readme"] is unknown["has_contributing"] is unknown["has_publiccode"] is None
    assert (unknown["score"], unknown["score_checkable"]) == (100, 60)
    assert listed["has_readme"] is listed["has_publiccode"] is False
    assert (listed["score"], listed["score_checkable"]) == (60, 100)
