import datetime

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Forge, Owner, PublicBody
from catalog.services.accounts_import import import_accounts

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)

ACCOUNTS = """
github.com:
  forge: github
  owners:
    etalab:
      pso_id: aaaa-1111
      floss_policy: https://code.gouv.fr/politique
    betagouv:
    old-org:
      ignored_since: 2024-08-09
    future-org:
      ignored_since: 2027-01-01
gitlab.inria.fr:
  forge: gitlab
  pso_id: bbbb-2222
  owners:
    team/sub/subsub:
      ospo_url: https://ospo.inria.fr
forge.dedicated.gouv.fr:
  forge: gitea
git.example.fr:
  forge: gitlab
  ignored_since: 2024-08-09
test.forge:
  forge: gitea
  api_url: http://127.0.0.1:8123/api/v1
"""


def test_import_creates_forges_owners_and_public_bodies():
    report = import_accounts(text=ACCOUNTS, today=TODAY)

    assert report.invalid == []
    assert len(report.added) == 5 + 5
    github = Forge.objects.get(host="github.com")
    assert (github.kind, github.api_url, github.harvest_whole) == (
        "github",
        "https://api.github.com",
        False,
    )
    assert Forge.objects.get(host="gitlab.inria.fr").api_url == "https://gitlab.inria.fr/api/v4"
    assert Forge.objects.get(host="forge.dedicated.gouv.fr").harvest_whole is True
    assert Forge.objects.get(host="test.forge").api_url == "http://127.0.0.1:8123/api/v1"
    etalab = Owner.objects.get(path="etalab")
    assert etalab.public_body == PublicBody.objects.get(pso_id="aaaa-1111")
    assert etalab.floss_policy == "https://code.gouv.fr/politique"
    assert Owner.objects.get(path="team/sub/subsub").ospo_url == "https://ospo.inria.fr"


def test_ignored_since_applies_from_that_date_on_not_before():
    report = import_accounts(text=ACCOUNTS, today=TODAY)

    assert sorted(report.ignored) == ["git.example.fr", "github.com/old-org"]
    harvestable = set(Owner.objects.harvestable(on=TODAY).values_list("path", flat=True))
    assert "old-org" not in harvestable
    assert "future-org" in harvestable  # ignored only from 2027-01-01
    assert "git.example.fr" not in set(
        Forge.objects.harvestable(on=TODAY).values_list("host", flat=True)
    )


def test_import_again_changes_nothing_and_reports_updates():
    import_accounts(text=ACCOUNTS, today=TODAY)

    report = import_accounts(text=ACCOUNTS, today=TODAY)
    assert report.added == [] and report.updated == []

    report = import_accounts(
        text=ACCOUNTS.replace("aaaa-1111", "cccc-3333").replace("    betagouv:\n", ""),
        today=TODAY,
    )
    assert report.updated == ["github.com/etalab"]
    assert report.unlisted == ["github.com/betagouv"]
    assert Owner.objects.get(path="betagouv").listed is False


def test_invalid_entries_are_explained_one_line_each_and_the_others_imported():
    text = """
gitlab.good.fr:
  forge: gitlab
gitlab.bad.fr:
  forge: gitlabb
gitlab.date.fr:
  forge: gitlab
  ignored_since: yesterday
github.com:
  forge: github
  owners:
    fine-org:
    bad-url-org:
      floss_policy: not a url
not a host:
  forge: gitea
"""
    report = import_accounts(text=text, today=TODAY)

    assert sorted(report.invalid) == [
        "github.com/bad-url-org: floss_policy 'not a url' is not an http(s) URL",
        "gitlab.bad.fr: unknown forge 'gitlabb' (expected github, gitlab, gitea, forgejo, "
        "gogs, sourcehut, bitbucket)",
        "gitlab.date.fr: ignored_since 'yesterday' is not a date (YYYY-MM-DD)",
        "not a host: not a forge host name",
    ]
    assert set(Forge.objects.values_list("host", flat=True)) == {"gitlab.good.fr", "github.com"}
    assert list(Owner.objects.values_list("path", flat=True)) == ["fine-org"]


def test_a_shared_forge_without_owners_is_refused_rather_than_harvested_whole():
    report = import_accounts(text="github.com:\n  forge: github\n", today=TODAY)

    assert report.invalid == ["github.com: a shared forge needs a list of owners"]
    assert not Forge.objects.exists()


def test_the_command_reads_the_shipped_file_by_default(capsys):
    call_command("import_accounts")

    out = capsys.readouterr().out
    assert "393 added" in out and "17 ignored" in out and "0 invalid" in out


def test_the_command_refuses_an_unreadable_file_and_imports_nothing(tmp_path):
    broken = tmp_path / "accounts.yml"
    broken.write_text("github.com: [unclosed", encoding="utf-8")

    with pytest.raises(CommandError, match="not valid YAML"):
        call_command("import_accounts", str(broken))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_accounts", str(tmp_path / "missing.yml"))
    assert not Forge.objects.exists()
