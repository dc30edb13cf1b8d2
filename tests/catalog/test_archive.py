"""Software Heritage: the check of each repository's archive state and the save requests,
over HTTP against the fake archive (tests.fakeswh)."""

import io
import json
import logging
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog import swh, tasks
from catalog.enums import ArchiveState
from catalog.models import Owner, Repository, SaveRequest
from catalog.services import archive
from tests.factories import ForgeFactory, OwnerFactory, RepositoryFactory, UserFactory
from tests.fakeswh import FakeSoftwareHeritage, visit

pytestmark = pytest.mark.django_db

SNAP = "ab" * 20
HEAD = "cd" * 20
TOKEN = "swh-secret-token"


@pytest.fixture
def fake_swh(settings):
    with FakeSoftwareHeritage() as server:
        settings.SWH_API_URL = server.url
        settings.SWH_API_TOKEN = ""
        settings.HARVEST_MAX_RETRIES = 0
        settings.HARVEST_READ_TIMEOUT = 1
        yield server


def archive_client(**options):
    return swh.client_from_settings(sleep=lambda _s: None, **options)


def repo_on(host, kind, name, **fields):
    forge = ForgeFactory(host=host, kind=kind)
    owner = Owner.objects.filter(forge=forge).first() or OwnerFactory(forge=forge, path="dinum")
    return RepositoryFactory(owner=owner, name=name, **fields)


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def iso(moment):
    return moment.isoformat()


def test_swh_check_sets_each_state_as_the_archive_reports_it(fake_swh):
    github = repo_on("github.com", "github", "on-github")
    gitlab = repo_on("gitlab.example.fr", "gitlab", "on-gitlab")
    gitea = repo_on("git.example.fr", "gitea", "under-web-url")
    repo_on("github.com", "github", "absent")
    empty = repo_on("gitlab.example.fr", "gitlab", "no-snapshot")
    stale = repo_on("github.com", "github", "stale", pushed_at=ago(days=60))
    visited = iso(ago(days=90))
    fake_swh.add_origin(github.web_url, visits=[visit(date=visited, snapshot=SNAP)])
    # GitLab and Gitea repositories are archived under their clone URL...
    fake_swh.add_origin(gitlab.web_url + ".git", visits=[visit(date=visited, snapshot=SNAP)])
    # ...but the other form is tried when that one is unknown.
    fake_swh.add_origin(gitea.web_url, visits=[visit(date=visited, snapshot=SNAP)])
    fake_swh.add_origin(empty.web_url + ".git", visits=[visit(date=visited, status="failed")])
    fake_swh.add_origin(stale.web_url, visits=[visit(date=visited, snapshot=SNAP)])

    call_command("swh_check", stdout=(out := io.StringIO()))

    states = dict(Repository.objects.values_list("name", "archive_state"))
    assert states == {
        "on-github": ArchiveState.ARCHIVED,
        "on-gitlab": ArchiveState.ARCHIVED,
        "under-web-url": ArchiveState.ARCHIVED,
        "absent": ArchiveState.ABSENT,
        "no-snapshot": ArchiveState.NO_SNAPSHOT,
        # Pushed 60 days ago, after the archive's last visit 90 days ago.
        "stale": ArchiveState.OUTDATED,
    }
    gitlab.refresh_from_db()
    assert gitlab.archive_origin == gitlab.web_url + ".git"
    assert gitlab.archive_snapshot == f"swh:1:snp:{SNAP}"
    assert gitlab.archive_swhid == f"swh:1:snp:{SNAP};origin={gitlab.web_url}.git"
    assert gitlab.archive_visit_status == "full"
    assert gitlab.archive_checked_at is not None
    gitea.refresh_from_db()
    assert gitea.archive_origin == gitea.web_url
    # One request per archived repository, two for the absent one (both forms).
    assert fake_swh.count("visit_latest") == 1 + 1 + 2 + 2 + 3 + 1
    assert "6 checked" in out.getvalue()


def test_the_head_commit_says_whether_the_copy_is_fresh_in_one_call(fake_swh):
    visited = iso(ago(days=90))
    fresh = repo_on("github.com", "github", "fresh", head_commit=HEAD, pushed_at=ago(days=60))
    missing = repo_on("github.com", "github", "missing", head_commit="ef" * 20)
    missing_old = repo_on(
        "github.com", "github", "missing-old", head_commit="12" * 20, pushed_at=ago(days=45)
    )
    for repository in (fresh, missing, missing_old):
        fake_swh.add_origin(repository.web_url, visits=[visit(date=visited, snapshot=SNAP)])
    fake_swh.add_known_revision(HEAD)

    with archive_client() as swh_client:
        report = archive.check_due(client=swh_client, limit=100)

    states = dict(Repository.objects.values_list("name", "archive_state"))
    # Its head is archived, though pushed after the visit the archive reports.
    assert states["fresh"] == ArchiveState.ARCHIVED
    # Not pushed for months: a missing head is the archive's lag, not yet outdated.
    assert states["missing"] == ArchiveState.ARCHIVED
    assert states["missing-old"] == ArchiveState.OUTDATED
    assert fake_swh.count("known") == 1
    assert report.requests == 3 + 1


def test_known_asks_a_thousand_swhids_at_a_time(fake_swh):
    swhids = [f"swh:1:rev:{index:040x}" for index in range(1001)]
    fake_swh.add_known(swhids[0], swhids[1000])
    with archive_client() as swh_client:
        known = swh_client.known(swhids)
    assert fake_swh.count("known") == 2
    assert [swhid for swhid, is_known in known.items() if is_known] == [swhids[0], swhids[1000]]


def test_a_spent_budget_stops_the_run_and_leaves_the_rest_unchanged(fake_swh):
    repositories = [repo_on("github.com", "github", f"r{index}") for index in range(5)]
    for repository in repositories:
        fake_swh.add_origin(repository.web_url, visits=[visit(snapshot=SNAP)])
    Repository.objects.update(archive_state=ArchiveState.ABSENT, archive_checked_at=ago(days=9))
    reset = int(time.time()) + 3600
    fake_swh.set_rate_limit("default", 700, remaining=3, reset_at=reset)

    with archive_client() as swh_client:
        report = archive.check_due(client=swh_client, limit=100)

    states = list(Repository.objects.order_by("pk").values_list("archive_state", flat=True))
    # Three answers spent the budget; nothing was sent after the last one.
    assert states == [ArchiveState.ARCHIVED] * 3 + [ArchiveState.ABSENT] * 2
    assert fake_swh.count("visit_latest") == 3
    assert report.reset_at == reset and "budget" in report.stopped
    # The two left are still due for the next run (the task comes back at the reset).
    assert Repository.objects.archive_due(timezone.now()).count() == 2


def test_a_429_without_retry_after_stops_cleanly_at_its_reset(fake_swh):
    first, _second = (repo_on("github.com", "github", name) for name in ("a", "b"))
    fake_swh.add_origin(first.web_url, visits=[visit(snapshot=SNAP)])
    Repository.objects.update(archive_state=ArchiveState.ARCHIVED, archive_origin="kept")
    fake_swh.reset_log()

    call_command("swh_check", stdout=io.StringIO())  # every state fresh
    Repository.objects.update(archive_state=ArchiveState.ARCHIVED, archive_checked_at=None)
    fake_swh.rate_limit_next(reset_at=int(time.time()) + 3600, times=5)
    with archive_client() as swh_client:
        report = archive.check_due(client=swh_client, limit=10)

    assert report.checked == 0 and report.reset_at
    assert set(Repository.objects.values_list("archive_state", flat=True)) == {"archived"}
    assert Repository.objects.filter(archive_checked_at__isnull=True).count() == 2


@pytest.mark.parametrize("fault", ["503", "timeout", "malformed"])
def test_errors_keep_the_previous_state(fake_swh, fault):
    repository = repo_on("github.com", "github", "kept")
    Repository.objects.update(
        archive_state=ArchiveState.ARCHIVED,
        archive_snapshot=f"swh:1:snp:{SNAP}",
        archive_checked_at=ago(days=8),
    )
    if fault == "503":
        fake_swh.fail_next(503)
    elif fault == "timeout":
        fake_swh.delay_next(3)
    else:
        fake_swh.malformed_next()

    with archive_client() as swh_client:
        report = archive.check_due(client=swh_client, limit=10)

    repository.refresh_from_db()
    assert repository.archive_state == ArchiveState.ARCHIVED
    assert repository.archive_snapshot == f"swh:1:snp:{SNAP}"
    assert repository.archive_checked_at < ago(days=7)
    assert report.checked == 0 and len(report.errors) == 1


def test_the_token_goes_to_the_archive_only_and_is_never_logged(settings, fake_swh, caplog):
    settings.SWH_API_TOKEN = TOKEN
    repository = repo_on("github.com", "github", "moved")
    with FakeSoftwareHeritage() as elsewhere:
        elsewhere.add_origin(repository.web_url, visits=[visit(snapshot=SNAP)])
        location = f"{elsewhere.url}origin/{repository.web_url}/visit/latest/"
        fake_swh.redirect_next(location)
        with caplog.at_level(logging.DEBUG), archive_client() as swh_client:
            archive.check_repositories(
                Repository.objects.select_related("forge"), client=swh_client
            )
        assert fake_swh.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
        assert elsewhere.requests and all(
            "authorization" not in request.headers for request in elsewhere.requests
        )
    assert TOKEN not in caplog.text


def test_due_repositories(fake_swh):
    now = timezone.now()
    never = repo_on("github.com", "github", "never")
    week_old = repo_on("github.com", "github", "week-old", archive_checked_at=ago(days=8))
    pushed = repo_on(
        "github.com",
        "github",
        "pushed",
        archive_checked_at=ago(days=1),
        archive_visit_at=ago(days=20),
        pushed_at=ago(days=2),
    )
    repo_on("github.com", "github", "fresh", archive_checked_at=ago(days=1), pushed_at=ago(days=30))
    repo_on("github.com", "github", "gone", gone_since=now)
    due = list(Repository.objects.archive_due(now))
    assert due == [never, week_old, pushed]


# --- Save Code Now ---------------------------------------------------------------------


def test_a_save_request_is_sent_then_followed_to_the_archived_state(fake_swh):
    repository = repo_on("gitlab.example.fr", "gitlab", "to-save")
    report = archive.queue_saves(Repository.objects.all())
    assert report.queued == 1
    request = SaveRequest.objects.get()
    assert request.request_status == "queued" and request.origin_url.endswith(".git")

    with archive_client() as swh_client:
        assert archive.send_queued(client=swh_client, budget=8).sent == 1
        request.refresh_from_db()
        assert request.request_status == "accepted" and request.swh_id
        assert request.task_status == "not yet scheduled"

        fake_swh.advance_save(request.swh_id, "running")
        archive.follow_sent(client=swh_client)
        request.refresh_from_db()
        assert request.task_status == "running"

        fake_swh.advance_save(request.swh_id, "succeeded", snapshot=SNAP, record_visit=True)
        report = archive.follow_sent(client=swh_client)

    request.refresh_from_db()
    repository.refresh_from_db()
    assert report.finished == 1
    assert request.task_status == "succeeded" and request.snapshot == f"swh:1:snp:{SNAP}"
    assert repository.archive_state == ArchiveState.ARCHIVED
    assert not SaveRequest.objects.unfinished().exists()


def test_an_open_request_gets_no_second_one(fake_swh):
    repo_on("github.com", "github", "once")
    archive.queue_saves(Repository.objects.all())
    assert archive.queue_saves(Repository.objects.all()).skipped == 1
    fake_swh.save_decision = "pending"
    with archive_client() as swh_client:
        archive.send_queued(client=swh_client, budget=8)
        # Even queued again (another admin), the archive answers the same pending request.
        SaveRequest.objects.create(
            repository=Repository.objects.get(), origin_url="https://github.com/dinum/once"
        )
        archive.send_queued(client=swh_client, budget=8)
    assert set(SaveRequest.objects.values_list("request_status", flat=True)) == {"pending"}
    assert len(set(SaveRequest.objects.values_list("swh_id", flat=True))) == 1
    assert len(fake_swh.saves) == 1


def test_refused_and_invalid_urls_are_recorded_with_the_archives_reason(fake_swh):
    refused = repo_on("forbidden.example", "gitea", "refused")
    invalid = repo_on("github.com", "github", "invalid")
    fake_swh.refuse_prefix("https://forbidden.example/")
    archive.queue_saves(Repository.objects.all())
    SaveRequest.objects.filter(repository=invalid).update(origin_url="ftp://github.com/x")
    with archive_client() as swh_client:
        report = archive.send_queued(client=swh_client, budget=8)
    by_repo = {r.repository_id: r for r in SaveRequest.objects.all()}
    assert by_repo[refused.pk].request_status == "rejected"
    assert by_repo[refused.pk].note
    assert by_repo[invalid.pk].request_status == "failed"
    assert len(report.errors) == 2
    assert not SaveRequest.objects.open().exists()


def test_the_hourly_budget_is_respected(fake_swh):
    for index in range(5):
        repo_on("github.com", "github", f"s{index}")
    archive.queue_saves(Repository.objects.all())
    with archive_client() as swh_client:
        assert archive.send_queued(client=swh_client, budget=3).sent == 3
        # Within the same hour, nothing more.
        assert archive.send_queued(client=swh_client, budget=3).sent == 0
    assert fake_swh.count("save") == 3
    assert SaveRequest.objects.queued().count() == 2


def test_a_server_error_leaves_the_requests_queued(fake_swh):
    repo_on("github.com", "github", "later")
    archive.queue_saves(Repository.objects.all())
    fake_swh.fail_next(503)
    with archive_client() as swh_client:
        report = archive.send_queued(client=swh_client, budget=8)
    assert report.sent == 0 and report.stopped
    assert SaveRequest.objects.queued().count() == 1


def test_the_nightly_option_queues_absent_and_outdated_originals(fake_swh):
    absent = repo_on("github.com", "github", "absent", archive_state=ArchiveState.ABSENT)
    outdated = repo_on("github.com", "github", "outdated", archive_state=ArchiveState.OUTDATED)
    repo_on("github.com", "github", "fork", archive_state=ArchiveState.ABSENT, is_fork=True)
    repo_on("github.com", "github", "kept", archive_state=ArchiveState.ARCHIVED)
    archive.queue_nightly(limit=10)
    assert set(SaveRequest.objects.values_list("repository", flat=True)) == {
        absent.pk,
        outdated.pk,
    }


def test_editors_request_archival_from_the_admin(
    client, fake_swh, django_capture_on_commit_callbacks
):
    repository = repo_on("github.com", "github", "from-admin")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/catalog/repository/",
            {"action": "request_archival", "_selected_action": [repository.pk]},
            follow=True,
        )
    assert response.status_code == 200
    request = SaveRequest.objects.get()
    assert request.requested_by is not None
    # Tasks run in-process here: the request went out at once.
    assert request.request_status == "accepted"
    page = client.get(f"/admin/catalog/saverequest/{request.pk}/change/")
    assert page.status_code == 200 and "acceptée" in page.content.decode()


def test_visitors_cannot_request_archival(client, fake_swh):
    repository = repo_on("github.com", "github", "public")
    response = client.post(
        "/admin/catalog/repository/",
        {"action": "request_archival", "_selected_action": [repository.pk]},
    )
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not SaveRequest.objects.exists()
    assert fake_swh.count("save") == 0


# --- What visitors see -----------------------------------------------------------------


def test_the_repository_page_and_the_listing_say_what_the_archive_holds(client, fake_swh):
    archived = repo_on("gitlab.example.fr", "gitlab", "kept-safe", pushed_at=ago(days=3))
    absent = repo_on("gitlab.example.fr", "gitlab", "not-yet")
    fake_swh.add_origin(
        archived.web_url + ".git",
        visits=[visit(date="2026-11-20T10:00:00+00:00", snapshot=SNAP)],
    )
    call_command("swh_check", stdout=io.StringIO())

    html = client.get(archived.get_absolute_url()).content.decode()
    assert "Archivé par Software Heritage — dernière visite le 20 novembre 2026" in html
    assert f"swh:1:snp:{SNAP};origin={archived.web_url}.git" in html
    assert "origin_url=https%3A%2F%2Fgitlab.example.fr%2Fdinum%2Fkept-safe.git" in html
    html = client.get(absent.get_absolute_url()).content.decode()
    assert "Pas encore archivé" in html

    listing = client.get("/depots/?swh=absent").content.decode()
    assert "not-yet" in listing and "kept-safe" not in listing
    # The facet counts each state and links to its listing.
    listing = client.get("/depots/").content.decode()
    assert 'href="?swh=absent"' in listing and "Pas encore archivé" in listing
    english = client.get("/en/depots/?swh=archived").content.decode()
    assert "kept-safe" in english and "not-yet" not in english
    assert client.get("/depots/?swh=nonsense").status_code == 200


def test_the_state_is_in_the_exports_the_feed_and_the_api(client, fake_swh):
    archived = repo_on("github.com", "github", "exported")
    fake_swh.add_origin(
        archived.web_url, visits=[visit(date="2026-11-20T10:00:00+00:00", snapshot=SNAP)]
    )
    repo_on("github.com", "github", "unchecked")
    Repository.objects.filter(name="unchecked").update(archive_checked_at=ago(days=2000))
    with archive_client() as swh_client:
        archive.check_repositories(
            Repository.objects.filter(pk=archived.pk).select_related("forge"), client=swh_client
        )

    exported = client.get("/depots/?format=json&archived=include")
    rows = {row["name"]: row for row in json.loads(b"".join(exported.streaming_content))}
    assert rows["exported"]["archive_state"] == "archived"
    assert rows["exported"]["archive_swhid"] == f"swh:1:snp:{SNAP};origin={archived.web_url}"
    assert rows["exported"]["archive_visit_at"].startswith("2026-11-20T10:00:00")
    assert rows["exported"]["archive_checked_at"]
    # Not checked by us: no date, whatever an older source said.
    assert rows["unchecked"]["archive_state"] == "unknown"
    assert rows["unchecked"]["archive_checked_at"] is None
    csv_text = b"".join(client.get("/depots/?format=csv").streaming_content).decode()
    assert "archive_state" in csv_text.splitlines()[0]

    feed = client.get("/depots/flux.atom").content.decode()
    assert 'term="Software Heritage : Archivé"' in feed

    item = client.get(f"/api/v1/repositories/{archived.pk}/").json()
    assert item["software_heritage"]["state"] == "archived"
    assert item["software_heritage"]["swhid"] == f"swh:1:snp:{SNAP};origin={archived.web_url}"
    assert item["software_heritage"]["last_visit_status"] == "full"
    assert item["software_heritage"]["checked_at"]
    listed = client.get("/api/v1/repositories/?swh=archived").json()["results"]
    assert [entry["name"] for entry in listed] == ["exported"]


def test_a_recheck_finding_the_same_state_is_no_change_for_api_mirrors(fake_swh):
    repository = repo_on("github.com", "github", "stable")
    fake_swh.add_origin(repository.web_url, visits=[visit(snapshot=SNAP)])
    with archive_client() as swh_client:
        archive.check_repositories(Repository.objects.select_related("forge"), client=swh_client)
        repository.refresh_from_db()
        changed_at, checked_at = repository.modified_at, repository.archive_checked_at
        archive.check_repositories(Repository.objects.select_related("forge"), client=swh_client)
        repository.refresh_from_db()
        assert repository.archive_checked_at > checked_at
        assert repository.modified_at == changed_at  # only the check's date moved
        fake_swh.add_visit(repository.web_url, snapshot="ef" * 20)
        archive.check_repositories(Repository.objects.select_related("forge"), client=swh_client)
    repository.refresh_from_db()
    assert repository.modified_at > changed_at  # a new snapshot is a change


@pytest.mark.parametrize("workers", [1, 4])
def test_several_workers_check_the_same_way_and_stop_at_a_spent_budget(fake_swh, workers):
    repositories = [repo_on("gitlab.example.fr", "gitlab", f"w{index}") for index in range(12)]
    for repository in repositories[::2]:
        fake_swh.add_origin(repository.web_url + ".git", visits=[visit(snapshot=SNAP)])
    with archive_client() as swh_client:
        report = archive.check_due(client=swh_client, limit=100, workers=workers)
    assert report.states == {"archived": 6, "absent": 6}
    assert report.requests == fake_swh.count("visit_latest") == 6 * 1 + 6 * 2

    Repository.objects.update(archive_checked_at=None, archive_state=ArchiveState.UNKNOWN)
    fake_swh.set_rate_limit("default", 700, remaining=0, reset_at=int(time.time()) + 3600)
    with archive_client() as swh_client:
        report = archive.check_due(client=swh_client, limit=100, workers=workers)
    assert report.checked == 0 and report.reset_at
    assert set(Repository.objects.values_list("archive_state", flat=True)) == {"unknown"}


def test_a_refused_known_call_falls_back_on_the_push_and_visit_dates(fake_swh):
    stale = repo_on("github.com", "github", "stale-head", head_commit=HEAD, pushed_at=ago(days=60))
    fake_swh.add_origin(stale.web_url, visits=[visit(date=iso(ago(days=90)), snapshot=SNAP)])
    fake_swh.add_known_revision(HEAD)  # it would say archived, were it asked
    fake_swh.fail_next(400, kind="known", body='{"exception": "BadInputExc", "reason": "x"}')
    with archive_client() as swh_client:
        report = archive.check_due(client=swh_client, limit=10)
    assert report.checked == 1 and "known/" in report.errors[0]
    stale.refresh_from_db()
    # Without an answer about its head: pushed after the visit, over a month ago.
    assert stale.archive_state == ArchiveState.OUTDATED


def test_the_daily_task_comes_back_at_the_reset(fake_swh, monkeypatch):
    repo_on("github.com", "github", "later")
    reset = int(time.time()) + 600
    fake_swh.set_rate_limit("default", 700, remaining=0, reset_at=reset)
    requeued = []
    monkeypatch.setattr(
        tasks.check_archive, "apply_async", lambda **options: requeued.append(options)
    )
    tasks.check_archive()
    assert len(requeued) == 1 and 590 <= requeued[0]["countdown"] <= 610
    assert Repository.objects.get().archive_state == ArchiveState.UNKNOWN
