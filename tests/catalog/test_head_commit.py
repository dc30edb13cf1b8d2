"""The head commit of each repository's default branch, as the harvest stores it for the
Software Heritage check: one branch request per inspected non-empty repository, none for an
unchanged one. The real clients over real HTTP against the fake forge."""

import re

import pytest

from catalog.models import Forge, Owner, Repository
from catalog.services.harvest import harvest_owner
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.django_db

SHA1 = re.compile(r"[0-9a-f]{40}")
BRANCH_REQUEST = {
    "github": r"/repos/[^?]+/branches/",
    "gitea": r"/api/v1/repos/[^?]+/branches/",
    "gitlab": r"/api/v4/projects/\d+/repository/branches/",
}


@pytest.fixture
def fake():
    servers = []

    def start(kind="github"):
        server = FakeForge(kind).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def quick_failures(settings):
    settings.HARVEST_READ_TIMEOUT = 1
    settings.HARVEST_MAX_RETRIES = 2


def owner_row(server, path="dinum"):
    forge = Forge.objects.create(
        host=f"{server.kind}.test", kind=server.kind, api_url=server.api_url
    )
    return Owner.objects.create(forge=forge, path=path)


def branch_requests(server):
    return [r for r in server.requests if re.search(BRANCH_REQUEST[server.kind], r.path)]


def branch_of(server, repo):
    """A pattern of the logged path of `repo`'s default branch request."""
    if server.kind == "gitlab":
        return rf"/api/v4/projects/{repo.id}/repository/branches/main$"
    return rf"/repos/{repo.full_name}/branches/main$"


def head(full_path):
    return Repository.objects.get(full_path=full_path).head_commit


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
@pytest.mark.parametrize("branch", ["main", "release/2026 été"])
def test_the_harvest_stores_the_head_commit_of_the_default_branch(fake, kind, branch):
    server = fake(kind)
    app = server.add_repo("dinum", "app", default_branch=branch)
    other = server.add_repo("dinum", "other")
    owner = owner_row(server)

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "ok" and run.errors == []
    assert SHA1.fullmatch(head("dinum/app")) and head("dinum/app") == app.head_commit
    assert head("dinum/other") == other.head_commit != app.head_commit
    # One branch request per repository, each answered.
    assert [r.status for r in branch_requests(server)] == [200, 200]


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_an_unchanged_repository_costs_no_branch_request_and_keeps_its_head(fake, kind):
    server = fake(kind)
    quiet = server.add_repo("dinum", "quiet")
    server.add_repo("dinum", "idle")
    owner = owner_row(server)
    harvest_owner(owner_id=owner.pk)
    sha = quiet.head_commit
    server.reset_log()

    harvest_owner(owner_id=owner.pk)  # nothing changed
    quiet.stars = 12  # the listing changes, the activity does not: the row is rewritten
    run = harvest_owner(owner_id=owner.pk)

    assert (run.status, run.updated) == ("ok", 1)
    assert branch_requests(server) == []
    assert head("dinum/quiet") == sha and Repository.objects.get(full_path="dinum/quiet").stars
    assert head("dinum/idle") == server.get_repo("dinum", "idle").head_commit


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_a_push_updates_the_head_commit(fake, kind):
    server = fake(kind)
    app = server.add_repo("dinum", "app")
    server.add_repo("dinum", "idle")
    owner = owner_row(server)
    harvest_owner(owner_id=owner.pk)
    before = head("dinum/app")
    server.reset_log()

    app.files = {**app.files, "CONTRIBUTING.md": "Bienvenue"}  # a push
    harvest_owner(owner_id=owner.pk)

    assert head("dinum/app") == app.head_commit != before
    assert len(branch_requests(server)) == 1  # the pushed repository only


def test_a_full_run_asks_again(fake):
    server = fake("gitea")
    app = server.add_repo("dinum", "app")
    owner = owner_row(server)
    harvest_owner(owner_id=owner.pk)
    server.reset_log()

    harvest_owner(owner_id=owner.pk, full=True)

    assert len(branch_requests(server)) == 1
    assert head("dinum/app") == app.head_commit


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_an_empty_repository_has_no_head_and_costs_no_branch_request(fake, kind):
    server = fake(kind)
    server.add_repo("dinum", "empty", empty=True)
    owner = owner_row(server)

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "ok" and run.errors == []
    assert head("dinum/empty") == ""
    assert branch_requests(server) == []


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_an_unknown_default_branch_is_no_head_and_no_error(fake, kind):
    server = fake(kind)
    server.add_repo("dinum", "app")
    owner = owner_row(server)
    server.fail_next(status=404, path=BRANCH_REQUEST[kind])

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "ok" and run.errors == []
    repo = Repository.objects.get(full_path="dinum/app")
    assert repo.head_commit == "" and "README" in repo.root_files


@pytest.mark.parametrize(
    "answer",
    [
        "not-a-commit",
        "A" * 40,  # upper case
        "0123456789abcdef" * 4,  # a SHA-256 repository's 64 digits
        "abc123",
    ],
)
@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_an_id_that_is_not_a_sha1_is_not_kept(fake, kind, answer):
    server = fake(kind)
    app = server.add_repo("dinum", "app")
    app.head_sha = answer
    owner = owner_row(server)

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "ok" and run.errors == []
    assert head("dinum/app") == ""


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"status": 200, "body": '{"name": "main"}'}, "no commit object"),
        ({"status": 200, "body": '["main"]'}, "no commit object"),
        ({"status": 200, "body": '{"name": "main", "commit": "abc"}'}, "no commit object"),
        ({"status": 503, "times": 3}, "HTTP 503"),
        ("malformed", "invalid JSON"),
    ],
)
@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_a_broken_branch_answer_is_an_error_of_that_repository_only(fake, kind, fault, message):
    server = fake(kind)
    app = server.add_repo("dinum", "app")
    fine = server.add_repo("dinum", "fine")
    owner = owner_row(server)
    harvest_owner(owner_id=owner.pk)
    app.files = {**app.files, "LICENSE": "MIT"}  # a push: both are inspected again
    fine.files = {**fine.files, "LICENSE": "MIT"}
    if fault == "malformed":
        server.malformed_next(path=branch_of(server, app))
    else:
        server.fail_next(path=branch_of(server, app), **fault)

    run = harvest_owner(owner_id=owner.pk)

    assert run.status == "ok" and run.complete
    assert len(run.errors) == 1 and message in run.errors[0]
    broken = Repository.objects.get(full_path="dinum/app")
    # Like any inspection error: unknown until the next run tries again.
    assert (broken.head_commit, broken.root_files, broken.inspected_activity_at) == ("", None, None)
    assert head("dinum/fine") == fine.head_commit

    app.touch()  # the next inspection (next push, or a full run) gets it
    run = harvest_owner(owner_id=owner.pk)

    assert run.errors == [] and head("dinum/app") == app.head_commit
