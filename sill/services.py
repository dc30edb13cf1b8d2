"""Writes on the SILL that span several rows, and what public agents declare on it."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.text import free_slug
from moderation import services as moderation_services
from moderation.models import initial_status
from moderation.services import create_once
from sill.enums import DeclarationKind, SoftwareStatus
from sill.importer import update_search_vectors
from sill.models import RESERVED_SLUGS, Declaration, Instance, Software


# Paths under /sill/ that a software's slug must not take.
def dereference(*, software: Software, reason: str, on=None) -> None:
    software.status = SoftwareStatus.DEREFERENCED
    software.dereferenced_reason = reason.strip()
    software.dereferenced_at = on or timezone.localdate()
    software.save(update_fields=["status", "dereferenced_reason", "dereferenced_at", "updated_at"])


@transaction.atomic
def merge(*, keep: Software, duplicates) -> int:
    """Move everything that points at `duplicates` onto `keep`, then delete them.

    A declaration the same agent already made on `keep` is dropped rather than duplicated.
    """
    duplicates = [s for s in duplicates if s.pk != keep.pk]
    for duplicate in duplicates:
        existing = set(keep.declarations.values_list("user_id", "kind"))
        for declaration in duplicate.declarations.all():
            if (declaration.user_id, declaration.kind) in existing and declaration.user_id:
                declaration.delete()
            else:
                Declaration.objects.filter(pk=declaration.pk).update(software=keep)
        duplicate.instances.update(software=keep)
        duplicate.children.exclude(pk=keep.pk).update(parent=keep)
        others = duplicate.similar.exclude(pk=keep.pk)
        keep.similar.add(*others)
        for field in (
            "website",
            "source_url",
            "documentation_url",
            "logo_url",
            "wikidata_id",
            "comptoir_id",
            "framalibre_id",
            "description_fr",
            "description_en",
        ):
            if not getattr(keep, field) and getattr(duplicate, field):
                setattr(keep, field, getattr(duplicate, field))
        duplicate.delete()
    keep.save()
    return len(duplicates)


class AlreadyDeclared(Exception):
    """The agent already made this kind of declaration on this software."""

    def __init__(self, declaration: Declaration):
        super().__init__(f"declaration {declaration.pk} already exists")
        self.declaration = declaration


def public_body_of(user) -> dict:
    """On whose behalf ``user`` declares: their public body, or the name they typed when it
    is not in the list (an editor attaches the row to the right body)."""
    if user.public_body_id:
        return {"public_body_id": user.public_body_id, "public_body_unlisted": ""}
    return {"public_body_id": None, "public_body_unlisted": user.public_body_unlisted}


def declare(
    *,
    user,
    software: Software,
    kind: str,
    token=None,
    version: str = "",
    use_case: str = "",
    service_url: str = "",
    is_expert: bool = False,
) -> tuple[Declaration, bool]:
    """Record that ``user`` uses ``software`` or is a referent for it, for their public body
    (see ``public_body_of``).

    Returns ``(declaration, created)``: the same form posted twice gives the first row back.
    Raises ``AlreadyDeclared`` when the agent already made a declaration of that kind.
    """
    try:
        return create_once(
            Declaration,
            token=token,
            author=user,
            software=software,
            kind=kind,
            **public_body_of(user),
            moderation_status=initial_status(user),
            version=version,
            use_case=use_case,
            service_url=service_url,
            is_expert=is_expert and kind == DeclarationKind.REFERENT,
        )
    except IntegrityError:
        existing = Declaration.objects.filter(user=user, software=software, kind=kind).first()
        if existing is None:
            raise
        raise AlreadyDeclared(existing) from None


def add_instance(
    *, user, software: Software, url: str, token=None, audience: str = "", is_public: bool = True
) -> tuple[Instance, bool]:
    """Record a deployed instance of ``software``, for the agent's public body."""
    return create_once(
        Instance,
        token=token,
        author=user,
        software=software,
        url=url,
        audience=audience,
        is_public=is_public,
        **public_body_of(user),
        moderation_status=initial_status(user),
    )


def update_declared(*, row, values: dict, by) -> None:
    """The shared update, and a proposal's search vector kept current."""
    moderation_services.update_declared(row=row, values=values, by=by)
    if isinstance(row, Software):
        update_search_vectors(pks=[row.pk])


def unique_slug(name: str) -> str:
    """A free slug for a new software: its name's, with -2, -3… when already taken."""
    return free_slug(
        name,
        taken_in=Software.objects.all(),
        max_length=180,
        fallback="logiciel",
        reserved=RESERVED_SLUGS,
    )


@transaction.atomic
def propose_software(
    *,
    user,
    name: str,
    token=None,
    function: str = "",
    description: str = "",
    license: str = "",
    website: str = "",
    source_url: str = "",
    documentation_url: str = "",
    category: str = "",
    uses: bool = False,
    is_referent: bool = False,
) -> tuple[Software, bool]:
    """A new software proposed by an agent: always pending until an editor publishes it.

    With ``uses`` / ``is_referent`` the agent's own declarations are recorded with it.
    """
    values = {
        "name": name,
        "function": function,
        "description_fr": description,
        "license": license,
        "website": website,
        "source_url": source_url,
        "documentation_url": documentation_url,
        "category": category,
        "moderation_status": initial_status(user, always_moderated=True),
    }
    for _attempt in range(5):
        try:
            software, created = create_once(
                Software,
                token=token,
                author=user,
                slug=unique_slug(name),
                **values,
            )
            break
        except IntegrityError:  # another proposal took the slug meanwhile: take the next
            continue
    else:
        raise IntegrityError("no free slug for the proposed software")
    if created:
        # Searchable as soon as an editor publishes it.
        update_search_vectors(pks=[software.pk])
        for wanted, kind in ((uses, DeclarationKind.USER), (is_referent, DeclarationKind.REFERENT)):
            if wanted:
                declare(user=user, software=software, kind=kind)
    return software, created
