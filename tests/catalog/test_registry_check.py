"""The registry check (catalog.services.libraries) over HTTP against the fake registries
(tests.fakeregistry): what each registry says is matched to the repositories, and what
the registries' failures leave as it was."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog import registries, tasks
from catalog.enums import LibraryStatus
from catalog.libraries import repository_key
from catalog.models import Library, Manifest, Owner
from catalog.registries import InvalidName, Maven, Npm, Packagist, PyPI, RubyGems, segment
from catalog.services import libraries
from tests.factories import ManifestFactory, OwnerFactory, RepositoryFactory
from tests.fakeregistry import FakeRegistry

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_registry(settings):
    with FakeRegistry() as server:
        settings.REGISTRY_URLS = server.urls()
        settings.REGISTRY_MAVEN_REPOSITORY_URL = server.maven_repository_url
        settings.REGISTRY_MIN_INTERVAL_MS = 0
        settings.HARVEST_READ_TIMEOUT = 1
        yield server


def run(**options):
    return libraries.check_registries(limit=options.pop("limit", 100), **options)


def publishing(name, path, ecosystem, package_name, **repository):
    owner = Owner.objects.filter(path="etalab").first() or OwnerFactory(path="etalab")
    repo = RepositoryFactory(owner=owner, name=name, **repository)
    ManifestFactory(repository=repo, path=path, ecosystem=ecosystem, package_name=package_name)
    return repo


def library(ecosystem, name):
    return Library.objects.get(ecosystem=ecosystem, name=name)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("git+https://github.com/Etalab/Repo.git", "github.com/etalab/repo"),
        ("git://github.com/etalab/repo", "github.com/etalab/repo"),
        ("ssh://git@github.com/etalab/repo.git", "github.com/etalab/repo"),
        ("git@github.com:etalab/repo.git", "github.com/etalab/repo"),
        ("scm:git:https://github.com/etalab/repo", "github.com/etalab/repo"),
        ("https://github.com/etalab/repo/tree/main/packages/x", "github.com/etalab/repo"),
        ("https://github.com/etalab/repo/issues", "github.com/etalab/repo"),
        # A repository may be called like a forge page.
        ("https://github.com/etalab/src", "github.com/etalab/src"),
        ("https://github.com/etalab/issues.git", "github.com/etalab/issues"),
        ("https://gitlab.example.fr/etalab/tree/-/blob/main/x", "gitlab.example.fr/etalab/tree"),
        ("https://gitlab.example.fr/a/b/wiki/", "gitlab.example.fr/a/b"),
        ("github:etalab/repo", "github.com/etalab/repo"),
        ("HTTPS://WWW.GitHub.com/etalab/repo/", "github.com/etalab/repo"),
        ("https://gitlab.example.fr/a/b/c/-/tree/main", "gitlab.example.fr/a/b/c"),
        ("ssh://git@gitlab.example.fr:2222/a/b.git", "gitlab.example.fr/a/b"),
        ("https://github.com/etalab", ""),
        ("https://x.fr/../a/b", ""),
        ("https://github.com/etalab/.git", ""),
        ("javascript:alert(1)", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_source_urls_are_compared_once_normalised(url, key):
    assert repository_key(url) == key


def test_the_page_lists_what_the_registries_say_comes_from_the_repository(fake_registry, client):
    publishing("epci", "package.json", "npm", "@etalab/epci")
    publishing("plain", "package.json", "npm", "plain-lib")
    publishing("elsewhere", "package.json", "npm", "squatted")
    publishing("pyrepo", "pyproject.toml", "pypi", "Etalab_Tool")
    publishing("phprepo", "composer.json", "composer", "etalab/php-lib")
    publishing("rustrepo", "Cargo.toml", "cargo", "etalab-rs")
    publishing("javarepo", "pom.xml", "maven", "fr.etalab:java-lib")
    publishing("gorepo", "go.mod", "golang", "github.com/etalab/gorepo/v2")
    publishing("secret", "package.json", "npm", "secret-lib")
    Library.objects.all().delete()
    # The private manifest is not a candidate, even if the registry knows the name.
    Manifest.objects.filter(package_name="secret-lib").update(private=True)
    fake_registry.add_npm("secret-lib", repository="https://github.com/etalab/secret")
    fake_registry.add_npm(
        "@etalab/epci", repository={"type": "git", "url": "git+https://github.com/etalab/epci.git"}
    )
    fake_registry.add_npm("plain-lib", repository="etalab/plain", latest="2.3.0")
    fake_registry.add_npm("squatted", repository="https://github.com/someone/else")
    fake_registry.add_pypi(
        "etalab-tool",
        project_urls={
            "Documentation": "https://doc.example.fr",
            "Source": "https://github.com/etalab/pyrepo",
        },
        version="0.4.1",
    )
    fake_registry.add_packagist(
        "etalab/php-lib",
        repository="https://github.com/etalab/phprepo.git",
        versions=["dev-main", "1.2.0", "1.10.0", "2.0.0-beta1"],
    )
    fake_registry.add_crate(
        "etalab-rs", repository="https://github.com/etalab/rustrepo", version="0.3.0"
    )
    fake_registry.add_maven(
        "fr.etalab", "java-lib", version="3.1", scm_url="scm:git:git@github.com:etalab/javarepo.git"
    )

    report = run()

    assert report.errors == [] and report.stopped == {}
    matched = {
        (lib.ecosystem, lib.name): (lib.repository.name, lib.latest_version)
        for lib in Library.objects.published().select_related("repository")
    }
    assert matched == {
        ("npm", "@etalab/epci"): ("epci", "1.0.0"),
        ("npm", "plain-lib"): ("plain", "2.3.0"),
        ("pypi", "etalab-tool"): ("pyrepo", "0.4.1"),
        ("composer", "etalab/php-lib"): ("phprepo", "1.10.0"),
        ("cargo", "etalab-rs"): ("rustrepo", "0.3.0"),
        ("maven", "fr.etalab:java-lib"): ("javarepo", "3.1"),
        ("golang", "github.com/etalab/gorepo/v2"): ("gorepo", ""),
    }
    page = client.get("/bibliotheques/?sort=name&per_page=50")
    assert page.status_code == 200
    assert {(lib.ecosystem, lib.name) for lib in page.context["libraries"]} == set(matched)
    assert "squatted" not in page.content.decode() and "secret-lib" not in page.content.decode()
    squatted = library("npm", "squatted")
    assert squatted.status == LibraryStatus.MISMATCH
    assert squatted.source_url == "https://github.com/someone/else"
    assert not Library.objects.filter(name="secret-lib").exists()
    # One request per package, two for Maven (search, then the POM); none for Go.
    assert fake_registry.count() == 8
    assert fake_registry.count("maven") == fake_registry.count("maven-repository") == 1
    scoped = next(r for r in fake_registry.requests if r.name == "@etalab/epci")
    assert scoped.path == "/npm/@etalab%2Fepci"
    crates = next(r for r in fake_registry.requests if r.registry == "crates")
    assert crates.headers["user-agent"].startswith("codegouv-registry-check")


def test_a_recheck_sends_the_etag_and_a_304_keeps_what_was_known(fake_registry):
    publishing("epci", "package.json", "npm", "@etalab/epci")
    fake_registry.add_npm("@etalab/epci", repository="https://github.com/etalab/epci")
    run()
    first = library("npm", "@etalab/epci")
    assert first.status == LibraryStatus.MATCHED and first.etag
    Library.objects.update(checked_at=timezone.now() - timedelta(days=8))
    fake_registry.reset_log()

    report = run()

    (request,) = fake_registry.requests
    assert request.headers["if-none-match"] == first.etag
    assert request.status == 304
    assert report.not_modified == 1
    again = library("npm", "@etalab/epci")
    assert again.status == LibraryStatus.MATCHED and again.repository_id == first.repository_id
    assert again.checked_at > first.checked_at


def test_a_fresh_package_is_not_asked_again_within_the_week(fake_registry):
    publishing("epci", "package.json", "npm", "@etalab/epci")
    fake_registry.add_npm("@etalab/epci", repository="https://github.com/etalab/epci")
    run()
    fake_registry.reset_log()
    assert run().checked == 0
    assert fake_registry.count() == 0


def test_last_weeks_packages_are_due_although_this_weeks_run_starts_a_little_earlier(
    fake_registry,
):
    publishing("early", "package.json", "npm", "early-lib")
    publishing("recent", "package.json", "npm", "recent-lib")
    fake_registry.add_npm("early-lib", repository="https://github.com/etalab/early")
    fake_registry.add_npm("recent-lib", repository="https://github.com/etalab/recent")
    run()
    now = timezone.now()
    # Last week's run was an hour later in its day than this one; a check 6 days ago is not.
    Library.objects.filter(name="early-lib").update(checked_at=now - timedelta(days=7, hours=-1))
    Library.objects.filter(name="recent-lib").update(checked_at=now - timedelta(days=6))
    fake_registry.reset_log()

    report = run()

    assert report.checked == 1
    assert library("npm", "early-lib").checked_at > now - timedelta(minutes=1)
    assert library("npm", "recent-lib").checked_at < now - timedelta(days=5)


def test_a_package_no_manifest_names_any_more_is_no_longer_shown_as_published(
    fake_registry, client
):
    repo = publishing("renamed", "package.json", "npm", "old-name")
    fake_registry.add_npm("old-name", repository="https://github.com/etalab/renamed")
    fake_registry.add_npm("new-name", repository="https://github.com/etalab/renamed")
    run()
    assert library("npm", "old-name").status == LibraryStatus.MATCHED
    Manifest.objects.filter(repository=repo).update(package_name="new-name")

    run()

    old = library("npm", "old-name")
    assert old.status == LibraryStatus.UNCHECKED and old.repository_id is None
    assert list(Library.objects.published().values_list("name", flat=True)) == ["new-name"]
    page = client.get("/bibliotheques/").content.decode()
    assert "new-name" in page and "old-name" not in page


def test_an_unchanged_answer_is_matched_again_with_todays_repositories(fake_registry):
    """The registry answers 304, but the repository naming the package moved to the URL the
    registry gives: the package is now published from it."""
    repo = publishing("moved", "package.json", "npm", "moved-lib")
    fake_registry.add_npm("moved-lib", repository="https://github.com/etalab/moved-new")
    run()
    assert library("npm", "moved-lib").status == LibraryStatus.MISMATCH
    Library.objects.update(checked_at=timezone.now() - timedelta(days=8))
    type(repo).objects.filter(pk=repo.pk).update(web_url="https://github.com/etalab/moved-new")

    report = run()

    assert report.not_modified == 1
    moved = library("npm", "moved-lib")
    assert moved.status == LibraryStatus.MATCHED and moved.repository_id == repo.pk


def test_not_on_the_registry_is_recorded(fake_registry):
    publishing("nowhere", "package.json", "npm", "never-published")
    run()
    assert library("npm", "never-published").status == LibraryStatus.NOT_FOUND
    assert not Library.objects.published().exists()


@pytest.mark.parametrize(
    ("status", "headers"), [(429, {"Retry-After": "60"}), (429, {}), (500, {}), (503, {})]
)
def test_a_throttled_or_failing_registry_keeps_the_previous_state_and_stops(
    fake_registry, status, headers
):
    publishing("a", "package.json", "npm", "a-lib")
    publishing("b", "package.json", "npm", "b-lib")
    publishing("py", "pyproject.toml", "pypi", "py-lib")
    fake_registry.add_npm("a-lib", repository="https://github.com/etalab/a")
    fake_registry.add_npm("b-lib", repository="https://github.com/etalab/b")
    fake_registry.add_pypi("py-lib", project_urls={"Code": "https://github.com/etalab/py"})
    run()
    assert Library.objects.published().count() == 3
    before = {
        lib.name: (lib.status, lib.repository_id, lib.checked_at) for lib in Library.objects.all()
    }
    Library.objects.update(checked_at=timezone.now() - timedelta(days=8))
    fake_registry.add_npm("a-lib", repository="https://github.com/someone/else")
    fake_registry.reset_log()
    fake_registry.fail_next(status, registry="npm", headers=headers)

    report = run()

    assert "npm" in report.stopped
    # One request to npm (no retry, no second package), PyPI went on.
    assert fake_registry.count("npm") == 1
    assert fake_registry.count("pypi") == 1
    after = {lib.name: (lib.status, lib.repository_id) for lib in Library.objects.all()}
    assert after["a-lib"] == before["a-lib"][:2] and after["b-lib"] == before["b-lib"][:2]
    assert Library.objects.published().count() == 3
    # Still due: asked first at the next run.
    assert set(Library.objects.due(timezone.now()).values_list("name", flat=True)) == {
        "a-lib",
        "b-lib",
    }


def test_a_timeout_stops_the_registry_and_keeps_the_state(fake_registry):
    publishing("a", "package.json", "npm", "a-lib")
    fake_registry.delay_next(3, registry="npm")
    report = run()
    assert "npm" in report.stopped
    assert not Library.objects.exists()


def test_a_malformed_answer_is_noted_and_the_run_goes_on(fake_registry):
    publishing("a", "package.json", "npm", "a-lib")
    publishing("b", "package.json", "npm", "b-lib")
    fake_registry.add_npm("b-lib", repository="https://github.com/etalab/b")
    fake_registry.malformed_next(registry="npm")
    report = run()
    assert len(report.errors) == 1 and not report.stopped
    broken = library("npm", "a-lib")
    assert broken.status == LibraryStatus.UNCHECKED and "invalid JSON" in broken.last_error
    assert library("npm", "b-lib").status == LibraryStatus.MATCHED


def test_a_pom_with_an_entity_bomb_is_refused_as_the_manifest_parser_refuses_it(fake_registry):
    publishing("javarepo", "pom.xml", "maven", "fr.etalab:java-lib")
    fake_registry.add_maven("fr.etalab", "java-lib", version="3.1")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><project><url>&lol2;</url></project>'
    )
    fake_registry.documents[("maven-repository", "fr/etalab/java-lib/3.1/java-lib-3.1.pom")] = bomb

    report = run()

    assert report.errors == [
        "maven:fr.etalab:java-lib: POM not readable: XML with a DTD or entities is refused"
    ]
    assert library("maven", "fr.etalab:java-lib").status == LibraryStatus.UNCHECKED


def test_no_configured_registry_no_request(fake_registry, settings):
    settings.REGISTRY_URLS = {}
    publishing("a", "package.json", "npm", "a-lib")
    publishing("gorepo", "go.mod", "golang", "github.com/etalab/gorepo")
    report = run()
    assert report.not_configured == {"npm": 1}
    assert fake_registry.count() == 0
    assert library("golang", "github.com/etalab/gorepo").status == LibraryStatus.MATCHED
    assert not Library.objects.filter(ecosystem="npm").exists()


def test_forks_and_gone_repositories_are_not_candidates(fake_registry):
    publishing("fork", "package.json", "npm", "fork-lib", fork=True)
    publishing("gone", "package.json", "npm", "gone-lib", gone=True)
    run()
    assert fake_registry.count() == 0


@pytest.mark.parametrize(
    "name",
    [
        "../../admin",
        "..",
        "a/../../b",
        "%2F..%2Fx",
        "é/ü%00",
        "x" * 300,
        "@scope/../x",
        "name?query=1#frag",
    ],
)
def test_hostile_names_stay_in_their_path_segment(fake_registry, name):
    base = fake_registry.url("npm")
    for cls, key in ((Npm, "npm"), (PyPI, "pypi"), (RubyGems, "rubygems")):
        client = cls(
            base_url=fake_registry.url(key), http=registries.http_from_settings(), min_interval=0
        )
        try:
            answer = client.lookup(name)
        except InvalidName:
            continue
        finally:
            client.http.close()
        assert answer.status == "not_found"
    for request in fake_registry.requests:
        assert request.registry != "other", request.path
        assert request.name == name
    # Composer and Maven names are refused before any request when they are not theirs.
    with pytest.raises(InvalidName):
        Maven(base_url=base, repository_url=base, http=None).search_params("../x:y")
    with pytest.raises(InvalidName):
        Packagist(base_url="http://h", http=None).package_url("../x")


def test_segment_refuses_dots_only():
    for bad in (".", "..", "...", ""):
        with pytest.raises(InvalidName):
            segment(bad)
    assert segment("../x") == "..%2Fx"
    assert segment("@a/b") == "%40a%2Fb"


def test_the_command_and_the_task_run_the_check(fake_registry, settings):
    publishing("epci", "package.json", "npm", "@etalab/epci")
    publishing("other", "package.json", "npm", "other-lib")
    fake_registry.add_npm("@etalab/epci", repository="https://github.com/etalab/epci")
    fake_registry.add_npm("other-lib", repository="https://github.com/etalab/other")
    call_command("registry_check", "--limit", "1", "--ecosystem", "npm")
    assert Library.objects.count() == 1
    settings.REGISTRY_CHECK_LIMIT = 10
    assert "1 checked" in tasks.check_registries()
    assert Library.objects.published().count() == 2


def test_the_beat_schedule_names_the_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["check-registries"]
    assert entry["task"] == tasks.check_registries.name


def test_the_polite_interval_spaces_the_requests_of_one_registry(fake_registry):
    slept = []
    now = [0.0]
    client = Npm(
        base_url=fake_registry.url("npm"),
        http=registries.http_from_settings(),
        min_interval=2.0,
        sleep=slept.append,
        clock=lambda: now[0],
    )
    try:
        client.lookup("a")
        now[0] += 0.5
        client.lookup("b")
    finally:
        client.http.close()
    assert slept == [1.5]
