"""Names of public bodies from the lists code.gouv.fr publishes, until the State's directory
names them all (issue #15): `top_organizations.yml` (the ministries and a few institutions,
by service-public.fr id), `fr-public-sector-ospo.yml` (OSPOs, each with the id of its body),
and, for a body neither names, the names of its accounts on the forges.

A better source replaces a lesser one's name, never the reverse (`NameSource` order: a
name an editor typed in the admin is never replaced), so the imports can run in any order
and again.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from catalog.enums import NameSource
from catalog.models import PublicBody
from core.text import clean_line

DATA = Path(__file__).resolve().parent.parent / "data"
TOP_ORGANIZATIONS = DATA / "top_organizations.yml"
OSPOS = DATA / "fr-public-sector-ospo.yml"
NAME_MAX_LENGTH = PublicBody._meta.get_field("name").max_length
OWNER_NAMES = 3
RANK = {source: rank for rank, source in enumerate(["", *NameSource.values])}


class NamesFileError(ValueError):
    """A list of names that cannot be read; nothing was changed."""


def _mapping(text: str, what: str) -> dict:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise NamesFileError(f"{what}: not valid YAML: {exc}") from None
    if not isinstance(document, dict):
        raise NamesFileError(f"{what}: expected a mapping at the top level")
    return document


def _clean(value) -> str:
    return clean_line(value, max_length=NAME_MAX_LENGTH)


def rename(body: PublicBody, name: str, source: str) -> list[str]:
    """Set `body`'s name, its origin and its slug (following the name); returns the fields
    to save."""
    body.name, body.name_source = name, source
    body.slug = PublicBody.free_slug(name, pk=body.pk)
    return ["name", "name_source", "slug", "updated_at"]


def name_bodies(names: dict[str, str], source: str) -> int:
    """Give the bodies of `names` ({pso_id: name}) that the portal knows their name from
    `source`, unless a better source named them. Returns how many changed."""
    names = {pso_id: name for pso_id, name in names.items() if pso_id and name}
    changed = 0
    with transaction.atomic():
        existing = {
            body.pso_id: body
            for body in PublicBody.objects.select_for_update().filter(pso_id__in=names)
        }
        for pso_id, name in names.items():
            body = existing.get(pso_id)
            if (
                body is not None
                and RANK[body.name_source] <= RANK[source]
                and (body.name != name or body.name_source != source)
            ):
                body.save(update_fields=rename(body, name, source))
                changed += 1
    return changed


def top_organizations(text: str) -> dict[str, str]:
    """`top_organizations.yml`: {pso_id: name} of the ministries and top institutions."""
    document = _mapping(text, "top organizations")
    names = {_clean(pso_id): _clean(name) for pso_id, name in document.items()}
    return {pso_id: name for pso_id, name in names.items() if pso_id and name}


def sync_ministries(text: str) -> int:
    """Every entry of `top_organizations.yml` is a ministry, named from the list (unless a
    better source named it) and its own ministry, whether or not an account points at it
    yet; a body the list no longer has stops being one. Returns how many changed."""
    names = top_organizations(text)
    with transaction.atomic():
        for pso_id in names:
            PublicBody.objects.get_or_create(pso_id=pso_id)
        changed = name_bodies(names, NameSource.TOP)
        for body in PublicBody.objects.select_for_update().filter(pso_id__in=names):
            if not body.is_ministry or body.ministry_id != body.pk:
                body.is_ministry, body.ministry = True, body
                body.save(update_fields=["is_ministry", "ministry", "updated_at"])
                changed += 1
        dropped = list(
            PublicBody.objects.ministries().exclude(pso_id__in=names).values_list("pk", flat=True)
        )
        PublicBody.objects.filter(ministry__in=dropped).update(ministry=None)
        changed += PublicBody.objects.filter(pk__in=dropped).update(is_ministry=False)
    return changed


def name_from_ospos(text: str) -> int:
    """`fr-public-sector-ospo.yml`: {url: {name, pso_id, …}}; entries without a `pso_id`
    or a name are passed over."""
    document = _mapping(text, "OSPO list")
    names = {}
    for entry in document.values():
        if isinstance(entry, dict):
            names[_clean(entry.get("pso_id"))] = _clean(entry.get("name"))
    return name_bodies(names, NameSource.OSPO)


def name_from_owners() -> int:
    """Bodies no list names are shown by the host of a forge they run whole, else by their
    forge accounts' display names (or paths), "Etalab, Etalab datalab", the first three and
    an ellipsis, and follow them when the accounts change."""
    changed = 0
    with transaction.atomic():
        bodies = (
            PublicBody.objects.select_for_update()
            .filter(name_source__in=["", NameSource.OWNERS])
            .prefetch_related("owners", "forges")
        )
        for body in bodies:
            # A forge it runs whole names it best (gitlab.inria.fr); else its accounts, the
            # first few: a list of fifteen is not a name.
            labels = sorted({forge.host for forge in body.forges.all()}) or sorted(
                {(owner.name or owner.path).strip() for owner in body.owners.all()} - {""}
            )
            shown = ", ".join(labels[:OWNER_NAMES])
            name = _clean(shown + ("…" if len(labels) > OWNER_NAMES else ""))
            source = NameSource.OWNERS if name else ""
            if (body.name, body.name_source) != (name, source):
                body.save(update_fields=rename(body, name, source))
                changed += 1
    return changed


def name_from_shipped_lists() -> int:
    """The lists shipped in catalog/data, then the accounts' names for the rest."""
    return (
        sync_ministries(TOP_ORGANIZATIONS.read_text(encoding="utf-8"))
        + name_from_ospos(OSPOS.read_text(encoding="utf-8"))
        + name_from_owners()
    )
