import gzip

import pytest
from django.core.management import call_command

from catalog.awesome import IMPORT_NOTE
from catalog.demo import load_libraries
from catalog.models import Forge, Library, Owner, Repository
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db

# URLs of the shipped list that are in the 2021 dump loaded by load_demo (counted once with
# a script normalising both sides: lower case, no trailing slash, no ".git").
IN_THE_2021_DUMP = {
    "https://github.com/CatalaLang/catala",
    "https://github.com/SocialGouv/dashlord",
    "https://github.com/betagouv/django-magicauth",
    "https://github.com/InseeFrLab/onyxia",
    "https://github.com/opendatateam/udata",
    "https://github.com/EsupPortail/Esup-Pod",
    "https://github.com/ProgrammeVitam/vitam",
    "https://github.com/GouvernementFR/dsfr",
}
LISTED_IN_THE_FILE = 20  # the two commented-out entries do not count


def test_load_demo_loads_the_accounts_list_and_the_2021_dump_and_can_run_again(capsys):
    call_command("load_demo")
    first_run = capsys.readouterr().out
    counts = (Forge.objects.count(), Owner.objects.count(), Repository.objects.count())
    awesome = set(Repository.objects.awesome().values_list("web_url", flat=True))
    call_command("load_demo")

    # The Awesome list shipped in catalog/data: marked once, then found already marked.
    assert (
        f"Awesome selection: {len(IN_THE_2021_DUMP)} repositories marked Awesome, "
        f"0 already Awesome, {LISTED_IN_THE_FILE - len(IN_THE_2021_DUMP)} listed URLs not in "
        "the catalogue, 0 invalid entries"
    ) in first_run
    assert awesome == IN_THE_2021_DUMP
    assert set(Repository.objects.awesome().values_list("awesome_note", flat=True)) == {IMPORT_NOTE}
    assert Repository.objects.awesome().count() == len(IN_THE_2021_DUMP)

    assert (Forge.objects.count(), Owner.objects.count(), Repository.objects.count()) == counts
    # The 2021 list's packages whose source repository is a demo repository: /bibliotheques/
    # is not empty after the quick start, and a second run adds none.
    assert "2021 libraries list: 456 published by a demo repository" in first_run
    assert Library.objects.count() == 456
    assert Library.objects.published().filter(name="@etalab/epci", ecosystem="npm").exists()
    # The list wrote "None" for a package without a release: no version, not "None".
    assert not Library.objects.filter(latest_version="None").exists()
    # 9,157 rows in the dump, 91 of them repeated URLs.
    assert Repository.objects.count() == 9066
    assert "9157 rows, 9066 distinct repositories" in first_run

    repo = Repository.objects.select_related("owner", "forge").get(
        forge__host="github.com", full_path="opendatateam/datapackage-pipelines-udata"
    )
    assert repo.license_spdx == "MIT"
    assert repo.owner.path == "opendatateam"
    # The dump's Software Heritage flag is what it said in 2021, not a fresh fact.
    assert repo.archive_reported is True
    assert repo.archive_state == "unknown"
    assert repo.archive_checked_at.date().isoformat() <= "2021-11-15"
    assert repo.created_at.year == 2018
    # The dump never listed root files: README & co. are not checked, never "absent".
    states = {c.code: c.state for c in repo.explained_checks()}
    assert states["readme"] == states["contributing"] == states["publiccode"] == "unchecked"
    assert states["free_license"] == "passed"
    # Nor can a 2021 dump tell whether there was activity in the last 12 months.
    assert states["recent_activity"] == "unchecked"
    assert repo.root_files is None and repo.score_checkable == 50
    # GitHub's listing reports licences (empty: none found); the dump's GitLab rows have
    # neither licence nor fork flag.
    github_none = Repository.objects.filter(forge__kind="github", license_reported="").first()
    assert {c.code: c.state for c in github_none.explained_checks()}["free_license"] == "failed"
    gitlab = Repository.objects.filter(forge__kind="gitlab").first()
    gitlab_states = {c.code: c.state for c in gitlab.explained_checks()}
    assert gitlab_states["free_license"] == gitlab_states["not_fork"] == "unchecked"
    assert not Repository.objects.filter(
        score_checks__contains=[{"code": "readme", "checked": True}]
    ).exists()

    # GitLab subgroups become owners addressed by their full path.
    assert Owner.objects.filter(forge__host="gitlab.inria.fr", path__contains="/").exists()
    assert Forge.objects.get(host="gitlab.inria.fr").kind == "gitlab"
    # Licence names become SPDX ids; "Other" and empty stay unknown.
    assert Repository.objects.filter(license_spdx="AGPL-3.0-only").count() == 343
    assert not Repository.objects.filter(license_spdx__contains=" ").exists()
    # The accounts list is there too, with its ignored forges.
    assert Forge.objects.filter(ignored_since__isnull=False).count() == 17


def test_a_listed_package_without_source_matches_no_repository_without_address(tmp_path):
    """Neither a blank source URL nor a repository address that names no repository can
    pair a package with a repository."""
    RepositoryFactory(web_url="")
    published = RepositoryFactory(web_url="https://github.com/etalab/api-geo")
    listed = tmp_path / "libraries.csv.gz"
    with gzip.open(listed, "wt", encoding="utf-8", newline="") as handle:
        handle.write("platform,name,repository_url,latest_stable_release_number\n")
        handle.write("NPM,no-source,,1.0.0\n")
        handle.write("NPM,api-geo,https://github.com/etalab/api-geo,2.1.0\n")

    assert load_libraries(listed) == 1
    assert list(Library.objects.values_list("name", "repository_id")) == [("api-geo", published.pk)]
