import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from catalog.services.counts import refresh_owner_counts
from tests.catalog.test_listing_warmup import summary_statements
from tests.factories import RepositoryFactory


def demo_users(*, stdout):
    User.objects.get_or_create(email="demo@numerique.gouv.fr")
    stdout.write("one demo user")


def demo_repositories(*, stdout):
    RepositoryFactory(language="Java")
    RepositoryFactory(language="Python", license_spdx="NOASSERTION")
    refresh_owner_counts()
    stdout.write("two demo repositories")


def broken_demo(*, stdout):
    User.objects.create(email="half-loaded@numerique.gouv.fr")
    raise RuntimeError("the demo file is unreadable")


@pytest.fixture(autouse=True)
def only_the_loaders_under_test(monkeypatch):
    """Leave out the apps' real demo data: these tests are about the command itself."""
    for config in apps.get_app_configs():
        if getattr(config, "demo_loader", None):
            monkeypatch.setattr(config, "demo_loader", None)


@pytest.mark.django_db
def test_load_demo_says_so_when_no_app_registers_demo_data(capsys):
    call_command("load_demo")

    assert "nothing to load" in capsys.readouterr().out


@pytest.mark.django_db
def test_load_demo_runs_each_registered_loader_and_can_run_again(monkeypatch, capsys):
    monkeypatch.setattr(
        apps.get_app_config("accounts"),
        "demo_loader",
        "tests.codegouv.test_load_demo.demo_users",
        raising=False,
    )

    call_command("load_demo")
    call_command("load_demo")

    assert User.objects.filter(email="demo@numerique.gouv.fr").count() == 1
    assert "accounts: demo data loaded." in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_failing_loader_leaves_nothing_half_loaded(monkeypatch):
    monkeypatch.setattr(
        apps.get_app_config("accounts"),
        "demo_loader",
        "tests.codegouv.test_load_demo.broken_demo",
        raising=False,
    )

    with pytest.raises(RuntimeError):
        call_command("load_demo")

    assert not User.objects.filter(email="half-loaded@numerique.gouv.fr").exists()


@pytest.mark.django_db
def test_load_demo_writes_the_open_data_dumps(monkeypatch, settings, tmp_path, client):
    """After the quick start /donnees/ lists its files, not "not generated yet"."""
    settings.DUMPS_ROOT = tmp_path
    monkeypatch.setattr(
        apps.get_app_config("accounts"),
        "demo_loader",
        "tests.codegouv.test_load_demo.demo_users",
        raising=False,
    )
    assert "pas encore été générés" in client.get("/donnees/").content.decode()

    call_command("load_demo")

    assert (tmp_path / "metadata.json").is_file()
    page = client.get("/donnees/").content.decode()
    assert "pas encore été générés" not in page
    assert 'href="/donnees/repositories.csv.gz"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("shared", [True, False])
def test_load_demo_warms_the_broad_listings_when_the_cache_outlives_it(
    monkeypatch, settings, tmp_path, client, capsys, shared
):
    """With Redis (here a cache in files, shared like Redis), the quick start's first
    /depots/ pages read summaries computed by load_demo; with a cache in the command's own
    memory there is nothing to keep."""
    if shared:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    monkeypatch.setattr(
        apps.get_app_config("catalog"),
        "demo_loader",
        "tests.codegouv.test_load_demo.demo_repositories",
        raising=False,
    )

    call_command("load_demo")

    out = capsys.readouterr().out
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/depots/?language=Java").status_code == 200
    if shared:
        assert "listing summaries of catalogue version" in out
        assert summary_statements(captured) == []
    else:
        assert "listing summaries not precomputed" in out
