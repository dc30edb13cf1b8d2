import io
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from api.models import Deletion
from catalog import licenses
from catalog.models import Forge, Owner, Repository
from catalog.search import update_search_vectors

pytestmark = pytest.mark.django_db


def seed(**options):
    out = io.StringIO()
    call_command("seed_bench", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def bench_repositories():
    return Repository.objects.filter(remote_id__startswith="bench:")


def test_seed_bench_creates_repositories_shaped_like_the_2021_dump():
    out = seed(repos=500, seed=3)

    repos = bench_repositories()
    assert repos.count() == 500
    assert "seeded 500 repositories" in out
    assert Repository.objects.count() == 500  # nothing but bench rows

    # Owners ≈ repositories / 9, on forges of the dump, never harvested.
    owners = Owner.objects.filter(remote_id__startswith="bench:")
    assert owners.count() == 56
    assert not owners.filter(listed=True).exists()
    assert owners.annotate(n=Count("repositories")).filter(n=0).count() == 0
    assert "github.com" in set(Forge.objects.values_list("host", flat=True))
    assert Forge.objects.count() >= 3

    # Unique full paths; web URLs point at the repository's forge.
    assert repos.values("forge", "full_path").distinct().count() == 500
    for repo in repos.select_related("forge", "owner"):
        assert repo.full_path.startswith(f"{repo.owner.path}/")
        assert repo.full_path.endswith(f"-{repo.remote_id.removeprefix('bench:')}")
        assert urlsplit(repo.web_url).netloc == repo.forge.host
        assert repo.web_url.endswith(f"/{repo.full_path}")
        assert 0 <= repo.score <= 100

    # Several languages and licences; licences are SPDX ids or NOASSERTION.
    languages = set(repos.exclude(language="").values_list("language", flat=True))
    assert {"JavaScript", "Python"} <= languages
    assert len(languages) >= 8
    spdx = set(repos.values_list("license_spdx", flat=True))
    assert {"NOASSERTION", "MIT"} <= spdx
    assert all(licenses.normalize_license(value) == value for value in spdx)
    assert len(set(repos.values_list("score", flat=True))) >= 5

    # Shares close to the dump's: about 70 % described, some forks, some archived.
    described = repos.exclude(description="").count()
    assert 250 <= described <= 450
    assert 0 < repos.filter(is_fork=True).count() < 100
    assert 0 < repos.filter(is_archived=True).count() < 100
    for description in repos.exclude(description="").values_list("description", flat=True):
        assert 5 <= len(description.split()) <= 25
    assert repos.exclude(topics=[]).exists()


def test_seed_bench_makes_the_seeded_repositories_searchable():
    seed(repos=200, seed=5)

    repos = bench_repositories()
    assert not repos.filter(search_vector__isnull=True).exists()
    # The vectors are those a harvest writes.
    written = dict(repos.values_list("pk", "search_vector"))
    update_search_vectors()
    assert dict(repos.values_list("pk", "search_vector")) == written

    repo = repos.select_related("owner").order_by("remote_id").first()
    name_word = max(repo.name.split("-"), key=len)
    assert repo in Repository.objects.search(name_word)
    # The owner is in the vector only (the fallback on names would not find it).
    owner_word = repo.owner.path.rsplit("-", 1)[0]
    assert repo in Repository.objects.search(owner_word)


def test_seed_bench_is_deterministic_refuses_a_second_run_and_clears():
    seed(repos=500, seed=3)
    first = list(bench_repositories().order_by("remote_id").values_list("full_path", "score"))

    with pytest.raises(CommandError, match="already seeded: use --clear"):
        seed(repos=500, seed=3)
    assert bench_repositories().count() == 500

    out = seed(repos=500, seed=3, clear=True)
    assert "cleared 500 bench repositories and 56 owners" in out
    # Synthetic rows leave no tombstone for the API's mirrors.
    assert not Deletion.objects.exists()
    again = list(bench_repositories().order_by("remote_id").values_list("full_path", "score"))
    assert again == first
    assert Owner.objects.filter(remote_id__startswith="bench:").count() == 56

    seed(repos=300, seed=4, owners=10, clear=True)
    assert bench_repositories().count() == 300
    assert Owner.objects.filter(remote_id__startswith="bench:").count() == 10
    other = set(bench_repositories().values_list("full_path", flat=True))
    assert not other & {path for path, _score in first}


def test_seed_bench_leaves_other_rows_alone():
    forge = Forge.objects.create(host="github.com", kind="github", api_url="https://api.github.com")
    owner = Owner.objects.create(forge=forge, path="etalab")
    Repository.objects.create(
        forge=forge,
        owner=owner,
        remote_id="1",
        full_path="etalab/x",
        name="x",
        web_url="https://github.com/etalab/x",
    )

    seed(repos=100, seed=1)
    seed(repos=100, seed=1, clear=True)

    assert Repository.objects.exclude(remote_id__startswith="bench:").count() == 1
    assert Forge.objects.filter(host="github.com").count() == 1
    assert bench_repositories().filter(forge=forge).exists()
