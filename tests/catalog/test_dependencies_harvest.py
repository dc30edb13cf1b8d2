"""Dependencies through the harvest: the real clients over HTTP against the fake forge, the
manifests of the root and first-level directories read, stored, kept when unreadable."""

import json
import re
from datetime import timedelta

import pytest

from catalog.models import Dependency, Manifest, Repository
from catalog.services.harvest import harvest_owner
from tests.catalog.test_harvest import fake, forge_row, owner_row, quick_failures  # noqa: F401

pytestmark = pytest.mark.django_db

PACKAGE_JSON = json.dumps(
    {
        "name": "front",
        "private": True,
        "dependencies": {"vue": "^3.4", "@gouvfr/dsfr": "1.11"},
        "devDependencies": {"vite": "^5"},
    }
)
REQUIREMENTS = "Django>=4.2\nrequests==2.31\n"
PYPROJECT = """\
[project]
name = "api"
dependencies = ["django~=5.0", "psycopg[binary]"]
[project.optional-dependencies]
docs = ["sphinx"]
"""
POM = """<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <groupId>fr.gouv</groupId><artifactId>back</artifactId>
  <dependencies>
    <dependency><groupId>org.springframework</groupId><artifactId>spring-core</artifactId>
      <version>6.1.0</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId>
      <scope>test</scope></dependency>
  </dependencies>
</project>
"""
GO_MOD = "module example.org/tool\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.9.1\n"
DEV_ONLY = "Django==5.0\npytest\n"


def files(**extra):
    return {"README.md": "# app", **extra}


def populate(server):
    server.add_owner("dinum", "organization" if server.kind != "gitlab" else "group")
    server.add_repo(
        "dinum",
        "monorepo",
        files=files(
            **{
                "requirements.txt": REQUIREMENTS,
                "front/package.json": PACKAGE_JSON,
                "api/pyproject.toml": PYPROJECT,
                "node_modules/left-pad/package.json": '{"dependencies": {"evil": "1"}}',
                "deep/down/package.json": '{"dependencies": {"deep": "1"}}',
            }
        ),
    )
    server.add_repo("dinum", "back", files=files(**{"pom.xml": POM, "go.mod": GO_MOD}))
    server.add_repo("dinum", "tests-only", files=files(**{"requirements-dev.txt": DEV_ONLY}))
    server.add_repo("dinum", "plain", files=files())
    server.add_repo("dinum", "site", files=files(**{"docs/requirements.txt": "DJANGO\n"}))


def harvest(server):
    forge = forge_row(server)
    owner = owner_row(forge, "dinum")
    run = harvest_owner(owner_id=owner.pk)
    assert run.status == "ok", run.errors
    return owner


def declared(full_path, scope="runtime"):
    return set(
        Dependency.objects.filter(repository__full_path=full_path, scope=scope).values_list(
            "manifest", "purl", "requirement"
        )
    )


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_the_harvest_stores_the_manifests_of_root_and_first_level(fake, kind):  # noqa: F811
    server = fake(kind)
    populate(server)
    harvest(server)

    assert declared("dinum/monorepo") == {
        ("requirements.txt", "pkg:pypi/django", ">=4.2"),
        ("requirements.txt", "pkg:pypi/requests", "==2.31"),
        ("front/package.json", "pkg:npm/vue", "^3.4"),
        ("front/package.json", "pkg:npm/%40gouvfr/dsfr", "1.11"),
        ("api/pyproject.toml", "pkg:pypi/django", "~=5.0"),
        ("api/pyproject.toml", "pkg:pypi/psycopg", "[binary]"),
    }
    assert declared("dinum/monorepo", "development") == {
        ("front/package.json", "pkg:npm/vite", "^5")
    }
    assert declared("dinum/back") == {
        ("pom.xml", "pkg:maven/org.springframework/spring-core", "6.1.0"),
        ("go.mod", "pkg:golang/github.com/gin-gonic/gin", "v1.9.1"),
    }
    assert declared("dinum/tests-only") == set()
    assert declared("dinum/tests-only", "development") == {
        ("requirements-dev.txt", "pkg:pypi/django", "==5.0"),
        ("requirements-dev.txt", "pkg:pypi/pytest", ""),
    }
    manifests = {
        (m.repository.full_path, m.path): (m.ecosystem, m.package_name, m.private)
        for m in Manifest.objects.select_related("repository")
    }
    assert manifests == {
        ("dinum/monorepo", "requirements.txt"): ("pypi", "", False),
        ("dinum/monorepo", "front/package.json"): ("npm", "front", True),
        ("dinum/monorepo", "api/pyproject.toml"): ("pypi", "api", False),
        ("dinum/back", "pom.xml"): ("maven", "fr.gouv:back", False),
        ("dinum/back", "go.mod"): ("golang", "example.org/tool", False),
        ("dinum/tests-only", "requirements-dev.txt"): ("pypi", "", False),
        ("dinum/site", "docs/requirements.txt"): ("pypi", "", False),
    }
    # node_modules/ and deeper levels are never read (nor node_modules listed on GitLab).
    assert not [r for r in server.requests if "node_modules" in r.path or "down" in r.path]


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_nothing_changed_no_tree_or_manifest_request_and_a_push_reads_again(fake, kind):  # noqa: F811
    server = fake(kind)
    populate(server)
    owner = harvest(server)
    server.reset_log()

    harvest_owner(owner_id=owner.pk)

    assert not [r for r in server.requests if "tree" in r.path or "requirements" in r.path]

    repo = server.get_repo("dinum", "monorepo")
    repo.files = {**repo.files, "requirements.txt": "Django>=5\nflask\n"}
    server.reset_log()
    harvest_owner(owner_id=owner.pk)

    assert any("tree" in r.path for r in server.requests)
    assert {p for m, p, _ in declared("dinum/monorepo") if m == "requirements.txt"} == {
        "pkg:pypi/django",
        "pkg:pypi/flask",
    }
    # The other repositories were not read again.
    assert not [r for r in server.requests if "pom.xml" in r.path]


def test_a_malformed_manifest_keeps_its_dependencies_and_records_the_error(fake):  # noqa: F811
    server = fake("github")
    populate(server)
    owner = harvest(server)
    repo = server.get_repo("dinum", "monorepo")
    repo.files = {**repo.files, "front/package.json": '{"dependencies": '}

    harvest_owner(owner_id=owner.pk)

    assert ("front/package.json", "pkg:npm/vue", "^3.4") in declared("dinum/monorepo")
    manifest = Manifest.objects.get(
        repository__full_path="dinum/monorepo", path="front/package.json"
    )
    assert manifest.errors and manifest.package_name == "front"

    # The file removed: its manifest and dependencies go.
    files_left = dict(repo.files)
    del files_left["front/package.json"]
    repo.files = files_left
    harvest_owner(owner_id=owner.pk)

    assert not Manifest.objects.filter(path="front/package.json").exists()
    assert not Dependency.objects.filter(manifest="front/package.json").exists()
    assert ("requirements.txt", "pkg:pypi/django", ">=4.2") in declared("dinum/monorepo")


def test_a_failed_manifest_read_is_an_inspection_error_tried_again(fake):  # noqa: F811
    server = fake("github")
    populate(server)
    server.fail_next(500, times=5, path="contents/requirements.txt")
    forge = forge_row(server)
    owner = owner_row(forge, "dinum")

    run = harvest_owner(owner_id=owner.pk)

    assert run.errors
    assert not Dependency.objects.filter(repository__full_path="dinum/monorepo").exists()
    assert Repository.objects.get(full_path="dinum/monorepo").root_files is None

    harvest_owner(owner_id=owner.pk)

    assert ("requirements.txt", "pkg:pypi/django", ">=4.2") in declared("dinum/monorepo")


def test_an_oversized_manifest_is_not_requested(fake):  # noqa: F811
    server = fake("github")
    server.add_repo("dinum", "big", files=files(**{"package.json": " " * (1024 * 1024 + 1)}))
    harvest(server)

    manifest = Manifest.objects.get(path="package.json")
    assert "not read" in manifest.errors[0]
    assert not [r for r in server.requests if "contents/package.json" in r.path]


@pytest.mark.parametrize("kind", ["github", "gitea"])
def test_a_repository_without_manifests_costs_no_tree_request(fake, kind):  # noqa: F811
    # Nothing at the root is a manifest or a directory that may hold one: one listing of
    # the root (GitHub: the default branch's recursive tree; Gitea: its contents), no other.
    server = fake(kind)
    server.add_repo("dinum", "plain", files=files(**{"LICENSE": "x", ".github/ci.yml": "x"}))
    harvest(server)

    listings = [
        r.path
        for r in server.requests
        if re.search(r"/(git/trees|contents/?$)", r.path.split("?")[0])
    ]
    assert len(listings) == 1, listings


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_after_a_harvest_the_pages_show_the_dependencies(
    fake,  # noqa: F811
    client,
    kind,
    django_capture_on_commit_callbacks,
):
    server = fake(kind)
    populate(server)
    # The run's end counts the packages once it commits (in-process here, a task in prod).
    with django_capture_on_commit_callbacks(execute=True):
        harvest(server)

    packages = {
        row["purl"]: row["repositories"] for row in client.get("/dependances/").context["packages"]
    }
    assert packages["pkg:pypi/django"] == 2  # monorepo (twice), site; tests-only: dev only
    assert packages["pkg:npm/vue"] == packages["pkg:maven/org.springframework/spring-core"] == 1
    assert "pkg:npm/vite" not in packages
    every = {
        row["purl"]: row["repositories"]
        for row in client.get("/dependances/", {"scope": "all"}).context["packages"]
    }
    assert every["pkg:pypi/django"] == 3 and every["pkg:npm/vite"] == 1

    response = client.get("/depots/", {"dependency": "pkg:pypi/django"})
    assert {r.full_path for r in response.context["repositories"]} == {
        "dinum/monorepo",
        "dinum/site",
    }

    page = client.get(f"/depots/{kind}.test/dinum/monorepo/")
    assert [item["manifest"].path for item in page.context["manifests"]] == [
        "api/pyproject.toml",
        "front/package.json",
        "requirements.txt",
    ]
    assert "^3.4" in page.content.decode()


def client_of(server):
    from catalog.forges import build_client

    return build_client(forge_row(server))


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_tree_paths_gives_the_first_two_levels(fake, kind):  # noqa: F811
    server = fake(kind)
    server.add_owner("dinum", "group" if kind == "gitlab" else "organization")
    layout = {"a.txt": "x", "d/b.txt": "xy", "d/e/c.txt": "x", "node_modules/x/package.json": "{}"}
    layout |= {f"dir{i:02}/package.json": "{}" for i in range(12)}
    server.add_repo("dinum", "repo", files=layout)
    server.add_repo("dinum", "empty", files={}, empty=True)
    client = client_of(server)
    pages = list(client.owner_pages(client.fetch_owner("dinum"), state={}))
    repos = {repo.name: repo for page in pages for repo in page.repos}
    repo = repos["repo"]
    client.root_names(repo)
    head = server.get_repo("dinum", "repo").head_commit

    paths = client.tree_paths(repo, head)

    assert "a.txt" in paths and "d/b.txt" in paths and "d/e/c.txt" not in paths
    assert paths["d/b.txt"] == (None if kind == "gitlab" else 2)
    listed = {path.split("/")[0] for path in paths if path.startswith("dir")}
    # GitLab lists at most 10 first-level directories, by name (d, then dir00…dir08);
    # node_modules is never listed.
    assert len(listed) == (9 if kind == "gitlab" else 12)
    assert "node_modules/x/package.json" not in paths
    assert client.read_file(repo, "d/b.txt") == b"xy"
    server.reset_log()
    assert client.tree_paths(repos["empty"], "") == {}
    assert client.tree_paths(repo, "") == {}
    assert server.requests == []


def test_github_reads_a_new_repositorys_root_and_manifests_paths_in_one_tree_request(
    fake,  # noqa: F811
):
    server = fake("github")
    app = server.add_repo(
        "dinum", "app", files=files(**{"README.md": "x", "front/package.json": PACKAGE_JSON})
    )
    slash = server.add_repo(
        "dinum",
        "slash",
        default_branch="release/v1",
        files=files(**{"README.md": "x", "requirements.txt": "django\n"}),
    )
    owner = harvest(server)

    for repo in (app, slash):
        paths = [r.path.split("?")[0] for r in server.requests if f"/dinum/{repo.name}/" in r.path]
        # The head commit, then its tree: no contents listing of the root.
        assert paths.count(f"/repos/dinum/{repo.name}/git/trees/{repo.head_commit}") == 1
        assert not [path for path in paths if path.endswith("/contents/")]
        assert len([path for path in paths if "/branches/" in path]) == 1
    assert {purl for _, purl, _ in declared("dinum/app")} == {
        "pkg:npm/vue",
        "pkg:npm/%40gouvfr/dsfr",
    }
    assert Repository.objects.get(name="slash").root_files == ["README"]
    assert {purl for _, purl, _ in declared("dinum/slash")} == {"pkg:pypi/django"}

    # Known, its activity moved without a push: the light contents listing, no tree.
    app.stars += 1
    app.updated_at = app.updated_at + timedelta(hours=1)
    server.reset_log()
    assert harvest_owner(owner_id=owner.pk).status == "ok"
    paths = [r.path.split("?")[0] for r in server.requests if "/dinum/app/" in r.path]
    assert "/repos/dinum/app/contents/" in paths
    assert not [path for path in paths if "/git/trees/" in path]
