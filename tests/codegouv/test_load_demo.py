import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User


def demo_users(*, stdout):
    User.objects.get_or_create(email="demo@numerique.gouv.fr")
    stdout.write("one demo user")


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
