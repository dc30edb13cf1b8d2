"""GitLab with a token: the inspection reads through GitLab's GraphQL in batches, and stores
exactly what the REST path stores, for a fraction of the requests (issue #19, harvest
budget).

One fake GitLab serves two Forge rows: one without a token (REST, as before) and one with
(FORGE_TOKENS), so that both harvests of the same data can be compared row for row.
"""

import json

import pytest
import requests

from catalog.forges.base import RepoInfo
from catalog.forges.gitlab_graphql import (
    BATCH_SIZE,
    blobs_part,
    graphql_url,
    head_query,
    queries,
    trees_part,
)
from catalog.models import Dependency, Manifest, Repository
from tests.catalog.test_dependencies_harvest import PACKAGE_JSON, POM, PYPROJECT, REQUIREMENTS
from tests.catalog.test_github_graphql import snapshot
from tests.catalog.test_harvest import PUBLICCODE, fake, forge_row, owner_row, quick_failures  # noqa: F401
from tests.fakeforge.graphql import Parser

pytestmark = pytest.mark.django_db

REST_HOST, GRAPHQL_HOST = "rest.gitlab.test", "graphql.gitlab.test"
GRAPHQL = "/api/graphql"
HOSTILE_DIRS = ['we"ird', "new\nline", "a:b", "brace}#{", "éte 🌍", "tab\tbed"]


@pytest.fixture(autouse=True)
def token(settings):
    settings.FORGE_TOKENS = {GRAPHQL_HOST: "glpat-test"}


def add_group(server, group, count=40):
    """`count` projects: READMEs, publiccode.yml, package.json, requirements.txt, manifests
    in subdirectories, licences; then what GraphQL gives no text for (a Latin-1 manifest, a
    binary publiccode.yml), node_modules, an empty project."""
    for i in range(count):
        files = {"README.md": f"# project {i}"}
        if i % 3 == 0:
            files["publiccode.yml"] = PUBLICCODE
        if i % 2 == 0:
            files["package.json"] = PACKAGE_JSON
        if i % 4 == 1:
            files["requirements.txt"] = REQUIREMENTS
        if i % 5 == 2:
            files |= {"front/package.json": PACKAGE_JSON, "api/pyproject.toml": PYPROJECT}
        if i % 7 == 3:
            files |= {"back/pom.xml": POM, "docs/index.md": "x", "LICENSE": "MIT License\n"}
        if i % 9 == 4:
            files["CodeMeta.json"] = json.dumps({"name": f"p{i}", "license": "EUPL-1.2"})
        server.add_repo(group, f"project-{i:02}", files=files)
    server.add_repo(
        group,
        "latin1",  # GitLab gives it converted to UTF-8: REST reads the bytes
        files={"README": "x", "requirements.txt": "Django>=4  # café\n".encode("latin-1")},
    )
    server.add_repo(
        group, "binary-publiccode", files={"README.md": "x", "publiccode.yml": b"\x00\x01name"}
    )
    server.add_repo(
        group,
        "monorepo",
        files={
            "README.md": "# mono",
            "front/package.json": PACKAGE_JSON,
            "node_modules/x/package.json": '{"dependencies": {"evil": "1"}}',
        },
    )
    server.add_repo(group, "empty", empty=True)


def both_forges(server, group):
    rest = owner_row(forge_row(server, host=REST_HOST), group)
    graphql = owner_row(forge_row(server, host=GRAPHQL_HOST), group)
    return rest, graphql


def harvest(server, owner):
    from catalog.services.harvest import harvest_owner

    server.reset_log()
    run = harvest_owner(owner_id=owner.pk)
    graphql = [r for r in server.requests if r.path == GRAPHQL]
    rest = [r for r in server.requests if r.path != GRAPHQL]
    assert run.requests == len(server.requests)  # GraphQL's requests are counted
    return run, graphql, rest


def licence_reads(rest):
    return [r for r in rest if "license=true" in r.path]


def test_with_a_token_the_harvest_reads_the_same_through_graphql_for_few_requests(fake):  # noqa: F811
    server = fake("gitlab")
    add_group(server, "dinum")
    rest_owner, graphql_owner = both_forges(server, "dinum")

    run, graphql, rest = harvest(server, rest_owner)
    assert run.status == "ok" and graphql == []  # without a token, REST as before
    rest_requests = len(rest)
    run, graphql, rest = harvest(server, graphql_owner)
    assert run.status == "ok", run.errors

    assert snapshot(graphql_owner) == snapshot(rest_owner)
    assert Dependency.objects.filter(repository__owner=graphql_owner).count() > 50
    assert run.seen == 44
    # GraphQL gives no licence (GitLab's schema has none): REST's `?license=true` is read
    # for each project with a LICENSE file, as without a token.
    licences = len(licence_reads(rest))
    assert licences == 6
    # Group, listing, 2 batches of 3 queries, and REST for what GraphQL cannot
    # give: the Latin-1 manifest and the binary publiccode.yml.
    others = [r.path for r in rest if "license=true" not in r.path]
    assert len(others) == 2 + 2, others
    per_repo = (run.requests - licences) / run.seen
    assert per_repo <= 0.3, (
        f"{per_repo:.3f} request per repository through GraphQL ({len(graphql)} queries), "
        f"{rest_requests / run.seen:.3f} through REST, {licences} licence reads apart"
    )

    # Nothing changed: no inspection, no query.
    run, graphql, rest = harvest(server, graphql_owner)
    assert (run.unchanged, graphql) == (44, [])

    # A push on some, activity without a push on others: both paths agree again.
    for repo in server.repos[:10]:
        repo.files = {**repo.files, "requirements.txt": "flask==3\n"}
    for repo in server.repos[10:20]:
        repo.updated_at = repo.updated_at.replace(year=2026)
    harvest(server, rest_owner)
    run, graphql, rest = harvest(server, graphql_owner)
    assert run.status == "ok", run.errors
    assert snapshot(graphql_owner) == snapshot(rest_owner)
    assert len(graphql) <= 2 * 3


def test_hostile_paths_are_escaped_in_the_queries(fake):  # noqa: F811
    server = fake("gitlab")
    server.add_repo(
        "dinum",
        "hostile",
        files={"README.md": "x"}
        | {
            f"{name}/package.json": json.dumps({"dependencies": {f"dep{i}": "1"}})
            for i, name in enumerate(HOSTILE_DIRS)
        },
    )
    _, graphql_owner = both_forges(server, "dinum")

    run, graphql, rest = harvest(server, graphql_owner)

    assert run.status == "ok", run.errors
    assert graphql and all(r.status == 200 for r in graphql)
    stored = set(
        Dependency.objects.filter(repository__full_path="dinum/hostile").values_list(
            "manifest", "name"
        )
    )
    assert stored == {(f"{name}/package.json", f"dep{i}") for i, name in enumerate(HOSTILE_DIRS)}
    assert not [r for r in rest if "/projects/" in r.path]  # all came through GraphQL


def test_a_project_missing_from_the_answer_is_read_through_rest(fake):  # noqa: F811
    # Gone, no longer visible or moved since the listing: GitLab's `projects` leaves it out
    # without saying which; REST, by id, says (its 404 stores no root files).
    server = fake("gitlab")
    for name in ("app", "moved", "other"):
        server.add_repo("dinum", name, files={"README.md": "x", "package.json": PACKAGE_JSON})
    rest_owner, graphql_owner = both_forges(server, "dinum")
    harvest(server, rest_owner)
    moved = next(repo for repo in server.repos if repo.name == "moved")
    real_head_query = head_query

    def renamed(repos):  # the path the listing gave is no longer the project's
        return real_head_query(
            [
                RepoInfo(**{**repo.__dict__, "full_path": "dinum/moved-since"})
                if repo.full_path == "dinum/moved"
                else repo
                for repo in repos
            ]
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("catalog.forges.gitlab_graphql.head_query", renamed)
        run, _graphql, rest = harvest(server, graphql_owner)

    assert run.status == "ok" and run.errors == []
    assert snapshot(graphql_owner) == snapshot(rest_owner)
    inspected = {
        r.path.partition("?")[0].split("/")[4]
        for r in rest
        if r.path.startswith("/api/v4/projects/")
    }
    assert inspected == {str(moved.id)}


def test_a_project_gone_is_as_a_rest_404(fake):  # noqa: F811
    server = fake("gitlab")
    for name in ("app", "gone"):
        server.add_repo("dinum", name, files={"README.md": "x", "package.json": PACKAGE_JSON})
    _, graphql_owner = both_forges(server, "dinum")
    server.fail_next(404, path=r"^/api/v4/projects/\d+/repository/tree")

    with pytest.MonkeyPatch.context() as patch:
        real_head_query = head_query
        patch.setattr(
            "catalog.forges.gitlab_graphql.head_query",
            lambda repos: real_head_query([r for r in repos if r.full_path != "dinum/gone"]),
        )
        run, _graphql, _rest = harvest(server, graphql_owner)

    assert run.status == "ok" and run.errors == []
    gone = Repository.objects.get(full_path="dinum/gone")
    assert (gone.root_files, gone.head_commit, gone.languages) == ([], "", {})
    assert set(Manifest.objects.values_list("repository__full_path", flat=True)) == {"dinum/app"}


def test_an_error_of_one_project_reads_that_one_through_rest(fake):  # noqa: F811
    server = fake("gitlab")
    for name in ("app", "broken", "other"):
        server.add_repo("dinum", name, files={"README.md": "x", "package.json": PACKAGE_JSON})
    rest_owner, graphql_owner = both_forges(server, "dinum")
    harvest(server, rest_owner)
    broken = next(repo for repo in server.repos if repo.name == "broken")
    server.graphql_repo_error("dinum/broken")

    run, _graphql, rest = harvest(server, graphql_owner)

    assert run.status == "ok" and run.errors == []
    assert snapshot(graphql_owner) == snapshot(rest_owner)
    inspected = {
        r.path.partition("?")[0].split("/")[4]
        for r in rest
        if r.path.startswith("/api/v4/projects/")
    }
    assert inspected == {str(broken.id)}


@pytest.mark.parametrize(
    ("fault", "through_rest"),
    [
        ({"status": 502}, False),  # retried
        ({"status": 502, "times": 3}, True),
        (
            {
                "status": 200,
                "body": '{"errors": [{"message": "Query has complexity of 300, '
                'which exceeds max complexity of 250"}]}',
            },
            True,
        ),
        ("malformed", True),
    ],
)
def test_a_failed_query_reads_its_batch_through_rest(fake, fault, through_rest):  # noqa: F811
    server = fake("gitlab")
    for i in range(BATCH_SIZE + 5):  # two batches: only the first one fails
        server.add_repo("dinum", f"r{i:02}", files={"README.md": "x", "go.mod": "module a\n"})
    rest_owner, graphql_owner = both_forges(server, "dinum")
    harvest(server, rest_owner)
    if fault == "malformed":
        server.malformed_next(path=f"^{GRAPHQL}$")
    else:
        server.fail_next(**fault, path=f"^{GRAPHQL}$")

    run, _graphql, rest = harvest(server, graphql_owner)

    assert run.status == "ok" and run.errors == []
    assert snapshot(graphql_owner) == snapshot(rest_owner)
    ids = {str(repo.id): repo.name for repo in server.repos}
    inspected = {
        ids[r.path.partition("?")[0].split("/")[4]]
        for r in rest
        if r.path.startswith("/api/v4/projects/")
    }
    assert inspected == ({f"r{i:02}" for i in range(BATCH_SIZE)} if through_rest else set())


def test_without_a_token_graphql_is_never_asked(fake, settings):  # noqa: F811
    settings.FORGE_TOKENS = {}
    server = fake("gitlab")
    add_group(server, "dinum", count=5)
    _, owner = both_forges(server, "dinum")

    run, graphql, _rest = harvest(server, owner)

    assert run.status == "ok" and graphql == []


def test_the_fake_refuses_graphql_without_a_token(fake):  # noqa: F811
    server = fake("gitlab")
    query = {"query": '{ project(fullPath: "a/b") { id } }'}

    answer = requests.post(graphql_url(server.api_url), json=query, timeout=5)
    assert answer.status_code == 401
    answer = requests.post(
        graphql_url(server.api_url), json=query, headers={"PRIVATE-TOKEN": "x"}, timeout=5
    )
    assert answer.json() == {"data": {"project": None}}


@pytest.mark.parametrize(
    ("api_url", "endpoint"),
    [
        ("https://gitlab.com/api/v4", "https://gitlab.com/api/graphql"),
        (
            "https://git.example.gouv.fr/gitlab/api/v4/",
            "https://git.example.gouv.fr/gitlab/api/graphql",
        ),
    ],
)
def test_the_graphql_endpoint_of_a_gitlab_instance(api_url, endpoint):
    assert graphql_url(api_url) == endpoint


def test_paths_and_refs_are_string_literals_whatever_they_hold():
    hostile = 'a"b\\c\nd\te}f#g {h} [i] \u00e9\U0001f30d\x00\x1b'
    repo = RepoInfo(
        remote_id="1",
        full_path=f"own{hostile}/name{hostile}",
        name=f"name{hostile}",
        owner_path=f"own{hostile}",
        web_url="",
        default_branch=f"main{hostile}",
        api_ref="1",
    )
    paths = [f"dir{hostile}/package.json", "x"]

    (head,) = Parser(head_query([repo])).document()
    (trees,) = Parser(queries([(trees_part(0, repo, "abc", [f"dir{hostile}"]), 1)])[0]).document()
    (blobs,) = Parser(queries([(blobs_part(0, repo, "abc", paths), 1)])[0]).document()

    # (RepoInfo cleaned the path of control characters at the boundary.)
    assert trees.args == blobs.args == {"fullPath": repo.full_path}
    assert head.args == {"fullPaths": [repo.full_path], "first": 1}
    assert trees.selections[0].selections[0].args == {"path": f"dir{hostile}", "ref": "abc"}
    assert blobs.selections[0].selections[0].args == {"paths": paths, "ref": "abc"}


def test_a_batch_is_spread_over_queries_within_gitlab_limits():
    parts = [("x" * 3000, 100)] * 5
    assert [text.count("x" * 3000) for text in queries(parts)] == [2, 2, 1]
    parts = [("y", 200), ("z", 60), ("w", 10)]
    assert [text.count(" ") for text in queries(parts)] == [3, 4]
