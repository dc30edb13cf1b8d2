"""GitHub with a token: the inspection reads through GraphQL in batches, and stores exactly
what the REST path stores, for a fraction of the requests (issue #19, harvest budget).

One fake GitHub serves two Forge rows: one without a token (REST, as before) and one with
(FORGE_TOKENS), so that both harvests of the same data can be compared row for row.
"""

import json

import pytest
import requests

from catalog.forges.base import RepoInfo
from catalog.forges.github_graphql import GraphQLPrefetch, blobs_query, graphql_url, head_query
from catalog.models import Dependency, Manifest, Repository
from catalog.services.harvest import harvest_owner
from tests.catalog.test_dependencies_harvest import PACKAGE_JSON, POM, PYPROJECT, REQUIREMENTS
from tests.catalog.test_harvest import PUBLICCODE, fake, forge_row, owner_row, quick_failures  # noqa: F401
from tests.fakeforge import populate
from tests.fakeforge.graphql import Parser

pytestmark = pytest.mark.django_db

REST_HOST, GRAPHQL_HOST = "rest.github.test", "graphql.github.test"
# (select_manifests refuses a path with a backslash: see the query test for those.)
HOSTILE_DIRS = ['we"ird', "new\nline", "a:b", "brace}#{", "éte 🌍", "tab\tbed"]


@pytest.fixture(autouse=True)
def token(settings):
    settings.FORGE_TOKENS = {GRAPHQL_HOST: "ghp_test"}


def add_varied_repos(server, owner):
    """What the generated data lacks: a monorepo, metadata files, files GraphQL gives no
    text for, an oversized manifest, hostile directory names, an empty repository."""
    server.add_repo(
        owner,
        "monorepo",
        files={
            "README.md": "# mono",
            "publiccode.yml": PUBLICCODE,
            "CodeMeta.json": json.dumps({"name": "Mono", "license": "EUPL-1.2"}),
            "requirements.txt": REQUIREMENTS,
            "front/package.json": PACKAGE_JSON,
            "api/pyproject.toml": PYPROJECT,
            "back/pom.xml": POM,
            "node_modules/x/package.json": '{"dependencies": {"evil": "1"}}',
        },
    )
    server.add_repo(
        owner,
        "latin1",  # not UTF-8: GraphQL gives no text, REST reads the bytes
        files={"README": "x", "requirements.txt": "Django>=4  # café\n".encode("latin-1")},
    )
    server.add_repo(
        owner, "binary-publiccode", files={"README.md": "x", "publiccode.yml": b"\x00\x01name"}
    )
    server.add_repo(
        owner,
        "huge",
        files={"README.md": "x", "package.json": '{"dependencies": {}}' + " " * (1 << 20)},
    )
    server.add_repo(
        owner,
        "hostile",
        files={"README.md": "x"}
        | {
            f"{name}/package.json": json.dumps({"dependencies": {f"dep{i}": "1"}})
            for i, name in enumerate(HOSTILE_DIRS)
        },
    )
    server.add_repo(owner, "empty", empty=True)


def both_forges(server, owner):
    rest = owner_row(forge_row(server, host=REST_HOST), owner)
    graphql = owner_row(forge_row(server, host=GRAPHQL_HOST), owner)
    return rest, graphql


def snapshot(owner):
    """What a harvest stored for `owner`: the repositories' inspected fields, manifests
    and dependencies, by full path."""
    fields = [
        "full_path",
        "root_files",
        "languages",
        "head_commit",
        "dependencies_commit",
        "publiccode",
        "publiccode_text",
        "publiccode_errors",
        "publiccode_valid",
        "codemeta",
        "codemeta_errors",
        "license_spdx",
        "score",
        "inspected_activity_at",
    ]
    repos = {
        row["full_path"]: row for row in Repository.objects.filter(owner=owner).values(*fields)
    }
    manifests = {
        (*row[:5], tuple(row[5]))
        for row in Manifest.objects.filter(repository__owner=owner).values_list(
            "repository__full_path", "path", "ecosystem", "package_name", "private", "errors"
        )
    }
    dependencies = set(
        Dependency.objects.filter(repository__owner=owner).values_list(
            "repository__full_path", "manifest", "purl", "requirement", "scope"
        )
    )
    return repos, manifests, dependencies


def harvest(server, owner):
    server.reset_log()
    run = harvest_owner(owner_id=owner.pk)
    graphql = [r for r in server.requests if r.path == "/graphql"]
    rest = [r for r in server.requests if r.path != "/graphql"]
    assert run.requests == len(server.requests)  # GraphQL's requests are counted
    return run, graphql, rest


def test_with_a_token_the_harvest_reads_the_same_through_graphql_for_few_requests(fake):  # noqa: F811
    server = fake("github")
    populate(server, owners=1, repos_per_owner=60, seed=4, publiccode_share=0.3)
    owner = server.owners[0].path
    add_varied_repos(server, owner)
    rest_owner, graphql_owner = both_forges(server, owner)

    run, graphql, rest = harvest(server, rest_owner)
    assert run.status == "ok" and graphql == []  # without a token, REST as before
    rest_requests = len(rest)
    run, graphql, rest = harvest(server, graphql_owner)
    assert run.status == "ok", run.errors

    assert snapshot(graphql_owner) == snapshot(rest_owner)
    assert Dependency.objects.filter(repository__owner=graphql_owner).count() > 50
    assert run.seen == 66
    # Owner profile, one listing page, 3 batches of 2 queries, and REST for what GraphQL
    # cannot give: the Latin-1 manifest and the binary publiccode.yml.
    assert len(graphql) == 6
    assert len(rest) == 2 + 2
    assert run.requests <= 0.2 * run.seen and run.requests * 20 < rest_requests

    # Nothing changed: no inspection, no query.
    run, graphql, rest = harvest(server, graphql_owner)
    assert (run.unchanged, graphql) == (66, [])
    assert run.requests - run.not_modified <= 0.05 * run.seen

    # A push on some, activity without a push on others: both paths agree again.
    for repo in server.repos[:10]:
        repo.files = {**repo.files, "requirements.txt": "flask==3\n"}
    for repo in server.repos[10:20]:
        repo.updated_at = repo.updated_at.replace(year=2026)
    harvest(server, rest_owner)
    run, graphql, rest = harvest(server, graphql_owner)
    assert run.status == "ok", run.errors
    assert snapshot(graphql_owner) == snapshot(rest_owner)
    assert len(graphql) == 2 and run.requests <= 0.2 * 20 + 2


def test_hostile_paths_are_escaped_in_the_queries(fake):  # noqa: F811
    server = fake("github")
    add_varied_repos(server, "dinum")
    _, graphql_owner = both_forges(server, "dinum")

    run, graphql, rest = harvest(server, graphql_owner)

    assert run.status == "ok", run.errors
    assert all(r.status == 200 for r in graphql)
    stored = set(
        Dependency.objects.filter(repository__full_path="dinum/hostile").values_list(
            "manifest", "name"
        )
    )
    assert stored == {(f"{name}/package.json", f"dep{i}") for i, name in enumerate(HOSTILE_DIRS)}
    assert not [r for r in rest if "hostile" in r.path]  # all came through GraphQL


def test_a_repository_gone_between_the_listing_and_the_query_is_as_a_rest_404(fake):  # noqa: F811
    server = fake("github")
    for name in ("app", "gone", "other"):
        server.add_repo("dinum", name, files={"README.md": "x", "package.json": PACKAGE_JSON})
    _, graphql_owner = both_forges(server, "dinum")
    server.graphql_repo_error("dinum/gone", type="NOT_FOUND")

    run, _graphql, rest = harvest(server, graphql_owner)

    assert run.status == "ok" and run.errors == []
    assert not [r for r in rest if "/repos/" in r.path]  # nothing asked through REST
    gone = Repository.objects.get(full_path="dinum/gone")
    assert (gone.root_files, gone.head_commit, gone.languages) == ([], "", {})
    assert set(Manifest.objects.values_list("repository__full_path", flat=True)) == {
        "dinum/app",
        "dinum/other",
    }


def test_an_error_of_one_repository_reads_that_one_through_rest(fake):  # noqa: F811
    server = fake("github")
    for name in ("app", "broken", "other"):
        server.add_repo("dinum", name, files={"README.md": "x", "package.json": PACKAGE_JSON})
    rest_owner, graphql_owner = both_forges(server, "dinum")
    harvest(server, rest_owner)
    server.graphql_repo_error("dinum/broken", type="SERVICE_UNAVAILABLE")

    run, _graphql, rest = harvest(server, graphql_owner)

    assert run.status == "ok" and run.errors == []
    assert snapshot(graphql_owner) == snapshot(rest_owner)
    inspected = {r.path.split("/")[3] for r in rest if r.path.startswith("/repos/")}
    assert inspected == {"broken"}


@pytest.mark.parametrize(
    ("fault", "through_rest"),
    [
        ({"status": 502}, False),  # retried
        ({"status": 502, "times": 3}, True),
        ({"status": 200, "body": '{"data": null, "errors": [{"message": "timeout"}]}'}, True),
        ("malformed", True),
    ],
)
def test_a_failed_query_reads_its_batch_through_rest(fake, fault, through_rest):  # noqa: F811
    server = fake("github")
    for i in range(30):  # two batches: only the first one fails
        server.add_repo("dinum", f"r{i:02}", files={"README.md": "x", "go.mod": "module a\n"})
    rest_owner, graphql_owner = both_forges(server, "dinum")
    harvest(server, rest_owner)
    if fault == "malformed":
        server.malformed_next(path="^/graphql$")
    else:
        server.fail_next(**fault, path="^/graphql$")

    run, _graphql, rest = harvest(server, graphql_owner)

    assert run.status == "ok" and run.errors == []
    assert snapshot(graphql_owner) == snapshot(rest_owner)
    inspected = {r.path.split("/")[3] for r in rest if r.path.startswith("/repos/")}
    assert inspected == ({f"r{i:02}" for i in range(25)} if through_rest else set())


def test_a_spent_budget_with_a_far_reset_stops_the_run_as_rate_limited(fake, settings):  # noqa: F811
    settings.HARVEST_MAX_RATE_LIMIT_WAIT = 5
    server = fake("github")
    server.add_repo("dinum", "app")
    _, graphql_owner = both_forges(server, "dinum")
    server.graphql_rate_limit(remaining=0, reset_in=3600)

    run, _graphql, _rest = harvest(server, graphql_owner)

    assert run.status == "rate_limited" and "GraphQL" in run.errors[-1]
    assert not Repository.objects.filter(gone_since__isnull=False).exists()


def test_the_last_points_are_spent_then_the_next_query_waits_for_the_reset(fake, settings):  # noqa: F811
    server = fake("github")
    server.add_repo("dinum", "app", files={"README.md": "x", "package.json": PACKAGE_JSON})
    _, graphql_owner = both_forges(server, "dinum")
    server.graphql_rate_limit(remaining=1, reset_in=1)

    run, graphql, _rest = harvest(server, graphql_owner)

    # The first query left 0 points: the second waited for the reset instead of failing.
    assert run.status == "ok" and run.rate_limit_waits == 1
    assert [r.status for r in graphql] == [200, 200]
    assert Manifest.objects.filter(repository__full_path="dinum/app").exists()

    settings.HARVEST_MAX_RATE_LIMIT_WAIT = 5
    server.add_repo("dinum", "other", files={"README.md": "x", "package.json": PACKAGE_JSON})
    server.graphql_rate_limit(remaining=1, reset_in=3600)
    run, graphql, _rest = harvest(server, graphql_owner)
    assert run.status == "rate_limited" and len(graphql) == 1  # the second was not sent


def test_without_a_token_graphql_is_never_asked(fake, settings):  # noqa: F811
    settings.FORGE_TOKENS = {}
    server = fake("github")
    add_varied_repos(server, "dinum")
    _, owner = both_forges(server, "dinum")

    run, graphql, _rest = harvest(server, owner)

    assert run.status == "ok" and graphql == []


def test_the_fake_refuses_graphql_without_a_token(fake):  # noqa: F811
    server = fake("github")
    query = {"query": "{ rateLimit { cost } }"}

    answer = requests.post(f"{server.api_url}/graphql", json=query, timeout=5)
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("api_url", "endpoint"),
    [
        ("https://api.github.com", "https://api.github.com/graphql"),
        ("https://github.example.gouv.fr/api/v3", "https://github.example.gouv.fr/api/graphql"),
        ("https://github.example.gouv.fr/api/v3/", "https://github.example.gouv.fr/api/graphql"),
    ],
)
def test_the_graphql_endpoint_of_github_and_github_enterprise(api_url, endpoint):
    assert graphql_url(api_url) == endpoint


def test_names_and_paths_are_string_literals_whatever_they_hold():
    hostile = 'a"b\\c\nd\te}f#g {h} \u00e9\U0001f30d\x00\x1b'
    repo = RepoInfo(
        remote_id="1",
        full_path=f"own{hostile}/name{hostile}",
        name=f"name{hostile}",
        owner_path=f"own{hostile}",
        web_url="",
        api_ref=f"own{hostile}/name{hostile}",
    )

    for query in (head_query([repo]), blobs_query([(repo, "abc", [f"dir{hostile}/package.json"])])):
        (_, block) = Parser(query).document()  # rateLimit, then the repository
        # (RepoInfo cleaned the handle of control characters at the boundary.)
        assert [block.args["owner"], block.args["name"]] == repo.api_ref.split("/")
    assert block.selections[0].args == {"expression": f"abc:dir{hostile}/package.json"}


def test_errors_name_the_repository_or_the_file_they_cost():
    errors = [
        {"type": "NOT_FOUND", "path": ["r0"], "message": "Could not resolve"},
        {"type": "SERVICE_UNAVAILABLE", "path": ["r1", "defaultBranchRef"], "message": "x"},
        {"type": "SERVICE_UNAVAILABLE", "path": ["r2", "f3"], "message": "timeout"},
        {"type": "NOT_FOUND", "path": ["r4", "f0"], "message": "no such blob"},
    ]
    failed, gone = GraphQLPrefetch.failed_aliases(errors)
    assert (failed, gone) == ({"r1", "r2.f3", "r4.f0"}, {"r0"})
