"""Writes on the SILL that span several rows."""

from django.db import transaction
from django.utils import timezone

from sill.enums import SoftwareStatus
from sill.models import Declaration, Software


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
