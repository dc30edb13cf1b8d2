"""The harvest end to end: the real clients over real HTTP against a fake forge on 127.0.0.1.

Each scenario asserts what ends up in the database.
"""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command

from catalog.models import Forge, HarvestRun, Owner, Repository
from catalog.services.harvest import harvest_forge, harvest_owner
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.django_db

PUBLICCODE = """\
publiccodeYmlVersion: "0.4"
name: Demo
url: "https://example.org/demo"
platforms: [web]
developmentStatus: stable
softwareType: "standalone/web"
description:
  fr:
    shortDescription: Un logiciel de démonstration.
    longDescription: >-
      Un logiciel de démonstration publié par une administration, décrit ici assez
      longuement pour respecter la longueur minimale de la description longue du standard.
legal:
  license: EUPL-1.2
maintenance:
  type: community
  contacts:
    - name: Camille
localisation:
  localisationReady: true
  availableLanguages: [fr]
"""


@pytest.fixture
def fake():
    servers = []

    def start(kind="github", **options):
        server = FakeForge(kind, **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def quick_failures(settings):
    settings.HARVEST_READ_TIMEOUT = 1
    settings.HARVEST_MAX_RETRIES = 2


def forge_row(server, *, whole=False, host=None):
    return Forge.objects.create(
        host=host or f"{server.kind}.test",
        kind=server.kind,
        api_url=server.api_url,
        harvest_whole=whole,
    )


def owner_row(forge, path):
    return Owner.objects.create(forge=forge, path=path)


def visible_paths(**filters):
    return set(Repository.objects.visible().filter(**filters).values_list("full_path", flat=True))


def test_github_owner_over_several_pages(fake):
    server = fake("github")
    server.add_owner("etalab", "organization", name="Etalab", description="Données ouvertes")
    for i in range(230):
        server.add_repo(
            "etalab",
            f"repo-{i:03}",
            description=f"Dépôt {i}",
            license="AGPL-3.0",
            languages={"Python": 900, "HTML": 100},
            topics=["open-data"],
            stars=i,
            files={"README.md": "# hi", "CONTRIBUTING.md": "yes", "LICENSE": "AGPL"}
            | ({"publiccode.yml": PUBLICCODE} if i == 7 else {}),
        )
    owner = owner_row(forge_row(server), "etalab")

    run = harvest_owner(owner_id=owner.pk)

    assert (run.status, run.complete, run.seen, run.created) == ("ok", True, 230, 230)
    pages = [r for r in server.requests if "/orgs/etalab/repos" in r.path]
    assert len(pages) == 3  # 100 + 100 + 30
    repo = Repository.objects.get(full_path="etalab/repo-007")
    assert repo.license_spdx == "AGPL-3.0-only"
    assert repo.languages == {"Python": 900, "HTML": 100}
    assert repo.topics == ["open-data"]
    assert {"README", "CONTRIBUTING", "LICENSE", "publiccode.yml"} <= set(repo.root_files)
    assert repo.publiccode_valid and repo.publiccode["_summary"]["name"] == "Demo"
    assert repo.score == 100  # every check passes (7 stars count as community)
    owner.refresh_from_db()
    assert (owner.name, owner.kind, owner.last_error) == ("Etalab", "organization", "")
    assert owner.last_success_at is not None
    # GitHub's hourly budget limits a national harvest: at most ~3.1 requests per repository
    # (root listing, languages, default branch's head commit, the few files read).
    assert run.requests <= 3.1 * 230


def test_a_github_repository_without_a_language_costs_no_languages_request(fake):
    server = fake("github")
    server.add_repo("dinum", "docs", languages={}, files={"README.md": "# docs"})
    server.add_repo("dinum", "app", languages={"Python": 900}, files={"README.md": "# app"})
    owner = owner_row(forge_row(server), "dinum")

    harvest_owner(owner_id=owner.pk)

    asked = [r.path for r in server.requests if r.path.endswith("/languages")]
    assert asked == ["/repos/dinum/app/languages"]
    assert Repository.objects.get(name="docs").languages == {}
    assert Repository.objects.get(name="app").languages == {"Python": 900}


def test_second_run_costs_304s_and_writes_nothing(fake, django_assert_max_num_queries):
    server = fake("github")
    for i in range(150):
        server.add_repo("dinum", f"r{i}", license="MIT")
    owner = owner_row(forge_row(server), "dinum")
    harvest_owner(owner_id=owner.pk)
    before = dict(Repository.objects.values_list("pk", "last_seen_at"))
    server.reset_log()

    run = harvest_owner(owner_id=owner.pk)

    assert (run.status, run.seen, run.unchanged, run.updated, run.created) == ("ok", 150, 150, 0, 0)
    assert run.not_modified == 2 and run.requests == 3  # owner profile + two 304 pages
    assert dict(Repository.objects.values_list("pk", "last_seen_at")) == before


def test_a_changed_repository_is_updated_and_reinspected(fake):
    server = fake("github")
    repo = server.add_repo("dinum", "app", description="old", files={"README.md": "x"})
    owner = owner_row(forge_row(server), "dinum")
    harvest_owner(owner_id=owner.pk)

    repo.description = "new"
    repo.files["CONTRIBUTING.md"] = "welcome"
    repo.touch()
    run = harvest_owner(owner_id=owner.pk)

    assert (run.updated, run.unchanged) == (1, 0)
    row = Repository.objects.get(full_path="dinum/app")
    assert row.description == "new"
    assert "CONTRIBUTING" in row.root_files


def test_rate_limit_exhausted_waits_for_the_reset(fake):
    server = fake("github")
    server.add_repo("dinum", "app")
    owner = owner_row(forge_row(server), "dinum")
    server.rate_limit(remaining=0, reset_in=1)

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "ok" and run.rate_limit_waits >= 1
    assert visible_paths() == {"dinum/app"}


def test_rate_limit_past_the_allowed_wait_stops_cleanly_and_marks_nothing_gone(fake, settings):
    server = fake("github")
    server.add_repo("dinum", "app")
    owner = owner_row(forge_row(server), "dinum")
    harvest_owner(owner_id=owner.pk)
    settings.HARVEST_MAX_RATE_LIMIT_WAIT = 5
    server.rate_limit(remaining=0, reset_in=3600)

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "rate_limited"
    assert "rate limited" in run.errors[0]
    assert visible_paths() == {"dinum/app"}
    owner.refresh_from_db()
    assert "rate limited" in owner.last_error


def test_secondary_rate_limit_is_retried_after_the_given_delay(fake):
    server = fake("github")
    server.add_repo("dinum", "app")
    owner = owner_row(forge_row(server), "dinum")
    server.secondary_rate_limit(retry_after=1)

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "ok" and run.rate_limit_waits == 1


def test_a_502_then_success(fake):
    server = fake("github")
    server.add_repo("dinum", "app")
    owner = owner_row(forge_row(server), "dinum")
    server.fail_next(status=502, path=r"/orgs/dinum/repos")

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "ok"
    assert visible_paths() == {"dinum/app"}
    statuses = [r.status for r in server.requests if "/orgs/dinum/repos" in r.path]
    assert statuses == [502, 200]


def test_a_read_timeout_is_retried(fake):
    server = fake("github")
    server.add_repo("dinum", "app")
    owner = owner_row(forge_row(server), "dinum")
    server.delay_next(2.5, path=r"/orgs/dinum/repos")

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "ok"
    assert visible_paths() == {"dinum/app"}


def test_persistent_5xx_fails_the_owner_and_the_others_go_on(fake, capsys):
    server = fake("github")
    server.add_repo("broken", "a")
    server.add_repo("fine", "b")
    forge = forge_row(server)
    owner_row(forge, "broken")
    owner_row(forge, "fine")
    server.fail_next(status=503, times=10, path=r"/orgs/broken/repos")

    call_command("harvest")

    assert visible_paths() == {"fine/b"}
    runs = {run.owner.path: run for run in HarvestRun.objects.select_related("owner")}
    assert runs["broken"].status == "failed" and "HTTP 503" in runs["broken"].errors[0]
    assert runs["fine"].status == "ok"
    captured = capsys.readouterr()
    assert "TOTAL" in captured.out and "1/2 ok" in captured.out
    assert "broken: failed" in captured.err


def test_malformed_json_is_an_error_for_that_owner_not_a_crash(fake):
    server = fake("github")
    server.add_repo("dinum", "app")
    owner = owner_row(forge_row(server), "dinum")
    server.malformed_next(path=r"/orgs/dinum/repos")

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "failed"
    assert "invalid JSON" in run.errors[0]
    assert not Repository.objects.exists()


def test_gitlab_group_with_nested_subgroups(fake):
    server = fake("gitlab")
    server.add_owner("inria", "group")
    server.add_owner("inria/team/sub", "group")
    server.add_owner("inria/solo", "group")
    server.add_repo("inria", "top", license="MIT", files={"README.md": "x", "LICENSE": "MIT"})
    server.add_repo("inria/team", "middle")
    server.add_repo("inria/team/sub", "deep", languages={"OCaml": 100})
    server.add_repo("inria/solo", "alone")
    forge = forge_row(server)
    group = owner_row(forge, "inria")
    solo = owner_row(forge, "inria/solo")  # listed on its own: its projects are its own

    harvest_owner(owner_id=group.pk)
    harvest_owner(owner_id=solo.pk)

    assert visible_paths(owner=group) == {"inria/top", "inria/team/middle", "inria/team/sub/deep"}
    assert visible_paths(owner=solo) == {"inria/solo/alone"}
    top = Repository.objects.get(full_path="inria/top")
    assert top.license_spdx == "MIT"
    deep = Repository.objects.get(full_path="inria/team/sub/deep")
    assert deep.languages == {"OCaml": 100.0}


def test_a_repository_that_disappears_then_comes_back(fake):
    server = fake("gitea")
    server.add_repo("mairie", "keep")
    gone = server.add_repo("mairie", "vanish")
    owner = owner_row(forge_row(server), "mairie")
    harvest_owner(owner_id=owner.pk)

    server.remove_repo("mairie", "vanish")
    run = harvest_owner(owner_id=owner.pk)

    assert run.gone == 1
    assert visible_paths() == {"mairie/keep"}
    assert Repository.objects.get(full_path="mairie/vanish").gone_since is not None

    server.add_repo("mairie", "vanish", id=gone.id)
    harvest_owner(owner_id=owner.pk)

    assert visible_paths() == {"mairie/keep", "mairie/vanish"}
    assert Repository.objects.count() == 2


def test_a_renamed_repository_is_recognised_by_its_forge_id(fake):
    server = fake("github")
    server.add_repo("dinum", "old-name")
    owner = owner_row(forge_row(server), "dinum")
    harvest_owner(owner_id=owner.pk)
    first_seen = Repository.objects.get().first_seen_at

    server.rename_repo("dinum", "old-name", "new-name")
    run = harvest_owner(owner_id=owner.pk)

    repo = Repository.objects.get()
    assert (repo.full_path, repo.first_seen_at, run.gone) == ("dinum/new-name", first_seen, 0)


def test_an_invalid_publiccode_yml_is_kept_with_its_messages(fake):
    server = fake("github")
    server.add_repo("dinum", "app", files={"README.md": "x", "publiccode.yml": "name: [broken"})
    owner = owner_row(forge_row(server), "dinum")

    harvest_owner(owner_id=owner.pk)

    repo = Repository.objects.get()
    assert "publiccode.yml" in repo.root_files
    assert repo.publiccode_valid is False
    assert repo.publiccode_errors and "YAML" in repo.publiccode_errors[0]
    assert {c["code"]: c["passed"] for c in repo.score_checks}["publiccode"] is False
    # The text as published is kept for reusers, broken or not.
    assert repo.publiccode_text == "name: [broken"


def test_the_publiccode_text_is_kept_clean_and_follows_the_file(fake):
    server = fake("gitlab")
    text = "\ufeffpubliccodeYmlVersion: '0.4'\nname: Démo\x00\x1b[31m\n"
    repo = server.add_repo("dinum", "app", files={"README.md": "x", "publiccode.yml": text})
    owner = owner_row(forge_row(server), "dinum")
    harvest_owner(owner_id=owner.pk)
    stored = Repository.objects.get()
    assert stored.publiccode_text == "publiccodeYmlVersion: '0.4'\nname: Démo[31m\n"

    repo.files = {"README.md": "x"}  # the file removed, and a push
    harvest_owner(owner_id=owner.pk)
    assert Repository.objects.get().publiccode_text == ""


def test_an_ignored_owner_is_not_harvested(fake):
    server = fake("github")
    server.add_repo("old", "a")
    server.add_repo("current", "b")
    forge = forge_row(server)
    Owner.objects.create(forge=forge, path="old", ignored_since="2024-08-09")
    owner_row(forge, "current")

    call_command("harvest")

    assert visible_paths() == {"current/b"}
    assert not any("/old" in r.path for r in server.requests)


def test_an_interrupted_harvest_marks_nothing_gone(fake):
    server = fake("github")
    for i in range(150):
        server.add_repo("dinum", f"r{i:03}")
    owner = owner_row(forge_row(server), "dinum")
    harvest_owner(owner_id=owner.pk)

    server.remove_repo("dinum", "r000")  # changes page 1, so it is fetched again
    server.interrupt_listing_after(pages=1, status=500, path=r"/orgs/dinum/repos")
    run = harvest_owner(owner_id=owner.pk, full=True)

    assert (run.status, run.complete, run.gone) == ("failed", False, 0)
    assert Repository.objects.visible().count() == 150


def test_whole_gitea_forge_through_repos_search(fake):
    server = fake("gitea")
    for org in ("ville", "agglo"):
        for i in range(60):
            server.add_repo(org, f"p{i}", license="EUPL-1.2")
    forge = forge_row(server, whole=True)

    run = harvest_forge(forge_id=forge.pk)

    assert (run.status, run.created) == ("ok", 120)
    assert set(Owner.objects.filter(forge=forge).values_list("path", "listed")) == {
        ("ville", False),
        ("agglo", False),
    }
    assert Repository.objects.filter(license_spdx="EUPL-1.2").count() == 120


def test_only_repositories_whose_activity_moved_are_inspected_again(fake):
    server = fake("github")
    quiet = server.add_repo("dinum", "quiet")
    server.add_repo("dinum", "busy")
    owner = owner_row(forge_row(server), "dinum")
    harvest_owner(owner_id=owner.pk)

    quiet.stars = 12  # listing changes, activity does not
    busy = server.get_repo("dinum", "busy")
    busy.pushed_at = busy.pushed_at + timedelta(days=1)
    busy.touch()
    server.reset_log()
    harvest_owner(owner_id=owner.pk)

    # The root listing: GitHub's recursive tree of the default branch (or its contents).
    inspected = {
        r.path.split("/")[3] for r in server.requests if re.search(r"/(contents|git/trees)", r.path)
    }
    assert inspected == {"busy"}
    assert Repository.objects.get(full_path="dinum/quiet").stars == 12


HOSTILE = "\x08Bell\x1b[31m\x7f\x85\ufffe <b>gras</b>\x00"


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
@pytest.mark.parametrize(
    ("homepage", "stored"),
    [
        ("javascript:alert(document.domain)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("charles.perin.free.fr/atable/", "https://charles.perin.free.fr/atable/"),
        ("http:/griotte.erasme.org", ""),
        ("https://www.inria.fr/", "https://www.inria.fr/"),
    ],
)
def test_hostile_forge_text_and_urls_are_stored_cleaned(fake, client, kind, homepage, stored):
    """What a forge lets its users type is cleaned once on the way in: no control
    character reaches a column, a feed or a page; only http(s) URLs are kept as links."""
    server = fake(kind)
    server.add_owner(
        "hostile",
        "organization",
        name=f"Nom{HOSTILE}",
        description=f"Desc{HOSTILE}",
        website=homepage,
        location=f"Lieu{HOSTILE}",
        avatar_url="javascript:alert(1)",
    )
    server.add_repo(
        "hostile",
        "depot",
        description=f"Ligne{HOSTILE}\nseconde",
        homepage=homepage,
        topics=["sujet\x1b"],
    )
    owner = owner_row(forge_row(server, host=f"{kind}.test"), "hostile")

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "ok", run.errors
    repo = Repository.objects.get(full_path="hostile/depot")
    assert repo.description == "LigneBell[31m <b>gras</b>\nseconde"
    # GitLab projects have no homepage field.
    assert repo.homepage == ("" if kind == "gitlab" else stored)
    assert repo.topics == ["sujet"]
    owner.refresh_from_db()
    # GitLab has no website field: its groups' own page stands for it.
    assert owner.website == stored or kind == "gitlab"
    assert not owner.avatar_url.startswith("javascript")
    for value in (owner.name, owner.description, owner.location or "Bell[31m <b>gras</b>"):
        assert value.endswith("Bell[31m <b>gras</b>"), value
    page = client.get(f"/depots/{kind}.test/hostile/depot/").content.decode()
    assert 'href="javascript:' not in page and 'href="data:' not in page
    assert ("Site du projet" in page) is bool(repo.homepage)
    for feed in ("/depots/flux.atom", f"/organisations/{kind}.test/hostile/flux.atom"):
        assert client.get(feed).status_code == 200


def test_a_failed_inspection_is_tried_again_at_the_next_run(fake):
    server = fake("github")
    server.add_repo("dinum", "app", files={"README.md": "x"})
    server.add_repo("dinum", "lib", files={"README.md": "x"})
    owner = owner_row(forge_row(server), "dinum")
    server.fail_next(status=503, times=10, path=r"/repos/dinum/app/(contents|git/trees)")

    first = harvest_owner(owner_id=owner.pk)
    app = Repository.objects.get(name="app")
    assert first.errors and app.root_files is None  # unknown, not "absent"

    # Nothing changed on the forge: the listing is asked again (not a 304) and the
    # repository whose inspection failed is inspected again; the other one is not.
    server.clear_faults()
    server.reset_log()
    second = harvest_owner(owner_id=owner.pk)
    app.refresh_from_db()
    assert not second.errors
    assert app.root_files == ["README"]
    assert Repository.objects.get(name="lib").root_files == ["README"]
    assert second.not_modified == 0
    inspected = {r.path for r in server.requests if re.search(r"/(contents|git/trees)", r.path)}
    assert inspected and all("/dinum/app/" in target for target in inspected)

    third = harvest_owner(owner_id=owner.pk)
    assert third.not_modified >= 1 and third.updated == 0  # back to conditional requests
