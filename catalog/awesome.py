"""The Awesome selection: repositories the editors checked on five criteria.

A repository joins it when it is published under a free licence, maintained, documented,
sponsored by a public body and used by several administrations. These are the editors'
fields: the harvest never writes them.

`import_awesome` reads the list code.gouv.fr published (awesome-codegouvfr.yml in the
codegouvfr-data repository): a mapping of repository URLs to `added`, `default_branch` and
sometimes `latestTestedInstallationDate`, of which only the URLs are kept.

That list says nothing of a project's logo, users or funders: `card_details` takes them
from the repository's own publiccode.yml (as harvested), as code.gouv.fr did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from operator import or_
from pathlib import Path
from urllib.parse import quote, urlsplit

import yaml
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.enums import ForgeKind
from catalog.listing_cache import bump_catalog_version
from catalog.metadata import pick_language
from catalog.models import AWESOME_CRITERIA, Repository
from core import sources
from core.text import clean_line, clean_text, safe_url

SOURCE = Path(__file__).resolve().parent / "data" / "awesome-codegouvfr.yml"
MAX_BYTES = 5 * 1024 * 1024
IMPORT_NOTE = "Sélection Awesome de code.gouv.fr"
CHECK_FIELDS = (*AWESOME_CRITERIA, "awesome_checked_at")
# What a card shows of a publiccode.yml at most.
LONG_DESCRIPTION_CHARS = 600
MAX_NAMES = 12
NAME_LENGTH = 200


def missing_criteria(criteria: dict) -> str:
    """Why `criteria` cannot make a repository Awesome ("" when all five are met).

    Shared by mark_awesome and the admin form, so both refuse alike."""
    missing = [name for name in AWESOME_CRITERIA if not criteria.get(name)]
    if not missing:
        return ""
    labels = ", ".join(str(Repository._meta.get_field(name).verbose_name) for name in missing)
    return _("Un dépôt Awesome doit remplir les cinq critères ; il manque : %s.") % labels


def mark_awesome(*, repository: Repository, criteria: dict, checked_on: date, note: str = ""):
    """Record the editors' check; refused unless all five criteria are met."""
    unknown = sorted(set(criteria) - set(AWESOME_CRITERIA))
    if unknown:
        raise ValueError(_("Critères Awesome inconnus : %s.") % ", ".join(unknown))
    if missing := missing_criteria(criteria):
        raise ValueError(missing)
    if checked_on is None:
        raise ValueError(_("Indiquez la date de la vérification Awesome."))
    for name in AWESOME_CRITERIA:
        setattr(repository, name, True)
    repository.awesome_checked_at = checked_on
    repository.awesome_note = note
    repository.save(update_fields=[*AWESOME_CRITERIA, "awesome_checked_at", "awesome_note"])
    bump_catalog_version()
    return repository


def normalize_url(url: str) -> str:
    """`https://GitHub.com/Org/Repo.git/` and `https://github.com/org/repo` compare equal."""
    url = str(url).strip().lower().rstrip("/")
    if url.endswith(".git"):
        url = url[: -len(".git")].rstrip("/")
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    return f"{parts.netloc}{parts.path}".rstrip("/")


@dataclass
class AwesomeReport:
    marked: list[str] = field(default_factory=list)
    # Already Awesome: the editors' own check (date, note) is kept.
    already: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.marked)} repositories marked Awesome, "
            f"{len(self.already)} already Awesome, "
            f"{len(self.unmatched)} listed URLs not in the catalogue, "
            f"{len(self.invalid)} invalid entries"
        )


def read_entries(text: str) -> list[str]:
    """The repository URLs of the list, in order. Raises ValueError on a malformed file."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(_("Liste Awesome illisible : %s") % exc) from None
    if document is None:
        return []
    if not isinstance(document, dict):
        raise ValueError(_("La liste Awesome doit associer des adresses de dépôts à leurs dates."))
    return [str(url) for url in document]


def _candidates(keys: set[str]) -> list[Repository]:
    """Visible repositories whose URL may match one of `keys`, in one query."""
    if not keys:
        return []
    # A URL holding "host/path" may match (a longer path too): normalising decides.
    condition = reduce(or_, (Q(web_url__icontains=key) for key in sorted(keys)))
    return list(Repository.objects.visible().filter(condition).only("pk", "web_url", *CHECK_FIELDS))


@transaction.atomic
def import_awesome(*, text: str, checked_on: date) -> AwesomeReport:
    """Mark the catalogue's repositories listed in `text` as Awesome, checked on `checked_on`.

    Repositories already Awesome keep their check, so running it again changes nothing.
    Entries matching no repository (not harvested yet, or gone) are reported, not errors."""
    report = AwesomeReport()
    wanted: dict[str, str] = {}
    for url in read_entries(text):
        key = normalize_url(url)
        if "/" not in key or "." not in key.split("/", 1)[0]:
            report.invalid.append(url)
            continue
        wanted.setdefault(key, url)

    by_key: dict[str, list[Repository]] = {}
    for repository in _candidates(set(wanted)):
        by_key.setdefault(normalize_url(repository.web_url), []).append(repository)

    matched = []
    for key, url in wanted.items():
        repositories = by_key.get(key)
        if not repositories:
            report.unmatched.append(url)
        elif all(repository.is_awesome for repository in repositories):
            report.already.append(url)
        else:
            matched.extend(r for r in repositories if not r.is_awesome)
            report.marked.append(url)

    if matched:
        Repository.objects.filter(pk__in=[r.pk for r in matched]).update(
            awesome_checked_at=checked_on,
            awesome_note=IMPORT_NOTE,
            **dict.fromkeys(AWESOME_CRITERIA, True),
        )
        bump_catalog_version()
    return report


def read_source(path: Path | None = None) -> str:
    """The selection's text, from a path or an http(s) URL (the bundled file by default)."""
    return sources.read_source(path, default=SOURCE, max_bytes=MAX_BYTES)


def unmark_awesome(queryset) -> int:
    """Take the Awesome repositories of `queryset` out of the selection (the criteria are
    cleared, the note kept): one UPDATE, like import_awesome. Returns how many."""
    count = queryset.awesome().update(
        awesome_checked_at=None, **dict.fromkeys(AWESOME_CRITERIA, False)
    )
    if count:
        bump_catalog_version()
    return count


# --- The cards of the Awesome page ------------------------------------------------------

# Where a forge serves a file of a repository as is, by forge kind: a logo's address.
RAW_FILE_URLS = {
    ForgeKind.GITHUB: "https://raw.githubusercontent.com/{path}/{branch}/{file}",
    ForgeKind.GITLAB: "https://{host}/{path}/-/raw/{branch}/{file}",
    ForgeKind.GITEA: "https://{host}/{path}/raw/branch/{branch}/{file}",
    ForgeKind.FORGEJO: "https://{host}/{path}/raw/branch/{branch}/{file}",
    ForgeKind.GOGS: "https://{host}/{path}/raw/{branch}/{file}",
}


def logo_url(repository: Repository, logo) -> str:
    """The https address of a publiccode.yml `logo`: an absolute URL, or a path in the
    repository served raw by its forge; "" when there is none or it cannot be trusted."""
    if not isinstance(logo, str) or not logo.strip():
        return ""
    logo = clean_line(logo, max_length=1000)
    if "://" in logo:
        url = safe_url(logo)
        return url if url.lower().startswith("https://") else ""
    file = logo.removeprefix("./").lstrip("/")
    template = RAW_FILE_URLS.get(repository.forge.kind)
    if not file or ":" in file or ".." in file.split("/") or template is None:
        return ""
    return template.format(
        host=repository.forge.host,
        path=repository.full_path,
        branch=quote(repository.default_branch or "HEAD"),
        file=quote(file),
    )


def _names(value) -> list[dict]:
    """[{"name", "url"}…] from a list of names or of {name, uri} (publiccode.yml 0.4's
    fundedBy); blanks and duplicates dropped, at most MAX_NAMES."""
    names, seen = [], set()
    for item in value if isinstance(value, list) else []:
        entry = item if isinstance(item, dict) else {"name": item}
        if not isinstance(entry.get("name"), str | int):
            continue
        name = clean_line(entry["name"], max_length=NAME_LENGTH)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append({"name": name, "url": safe_url(entry.get("uri") or "")})
    return names[:MAX_NAMES]


def card_details(repository: Repository) -> dict:
    """What an Awesome card shows beyond a listing's: the logo, the long description, the
    public bodies that use the software and those that fund it, from the repository's
    publiccode.yml (the French description first). Empty values when it has none."""
    data = repository.publiccode if isinstance(repository.publiccode, dict) else {}
    descriptions = data.get("description")
    description = pick_language(descriptions) if isinstance(descriptions, dict) else None
    long_description = (description or {}).get("longDescription")
    return {
        "logo": logo_url(repository, data.get("logo")),
        "long_description": clean_text(long_description, max_length=LONG_DESCRIPTION_CHARS * 2)
        if isinstance(long_description, str)
        else "",
        "used_by": _names(data.get("usedBy")),
        "funded_by": _names(data.get("fundedBy")),
    }
