import pytest
from django.core.cache import cache

from catalog import tasks
from catalog.models import Forge, HarvestRun, Owner
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server():
    with FakeForge("gitea") as fake:
        fake.add_repo("ville", "app")
        fake.add_repo("agglo", "site")
        yield fake


def test_harvest_all_fans_out_one_task_per_owner_and_per_whole_forge(server):
    shared = Forge.objects.create(host="shared.test", kind="gitea", api_url=server.api_url)
    whole = Forge.objects.create(
        host="whole.test", kind="gitea", api_url=server.api_url, harvest_whole=True
    )
    Owner.objects.create(forge=shared, path="ville")
    Owner.objects.create(forge=shared, path="agglo", ignored_since="2020-01-01")
    Forge.objects.create(host="hut.test", kind="sourcehut", api_url="https://hut.test")

    result = tasks.harvest_all.delay().get()

    assert result == {"owners": 1, "forges": 1}
    runs = HarvestRun.objects.all()
    assert {(run.forge.host, run.owner.path if run.owner else None) for run in runs} == {
        ("shared.test", "ville"),
        ("whole.test", None),
    }
    assert all(run.status == "ok" for run in runs)
    assert whole.repositories.count() == 2


def test_an_owner_is_never_harvested_twice_at_once(server):
    forge = Forge.objects.create(host="shared.test", kind="gitea", api_url=server.api_url)
    owner = Owner.objects.create(forge=forge, path="ville")
    cache.add(f"harvest-lock:owner:{owner.pk}", "someone else", timeout=60)

    assert tasks.harvest_owner.delay(owner.pk).get() == "locked"
    assert not HarvestRun.objects.exists()

    cache.delete(f"harvest-lock:owner:{owner.pk}")
    assert tasks.harvest_owner.delay(owner.pk).get() == "ok"
    # The lock is released after the run.
    assert cache.get(f"harvest-lock:owner:{owner.pk}") is None


def test_import_accounts_task_reads_the_configured_source(tmp_path, settings):
    source = tmp_path / "accounts.yml"
    source.write_text("forge.example.fr:\n  forge: gitea\n", encoding="utf-8")
    settings.ACCOUNTS_URL = str(source)

    summary = tasks.import_accounts.delay().get()

    assert summary.startswith("1 added")
    assert Forge.objects.get().host == "forge.example.fr"
