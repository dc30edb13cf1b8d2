"""What the public read API needs besides the rows it shows: the rows that were deleted.

Nothing shown by the API is deleted in the ordinary course (a repository the forge no longer
lists is marked ``gone_since``), but an author may delete their contribution and an editor
a software, an owner or a forge. A mirror must learn of it: a database trigger (migration
0001) writes one ``Deletion`` per deleted row of the tables the API serves, whatever deleted
it (the admin, a service, a cascade, SQL by hand), and the lists' incremental sync
(``updated_since``) returns them as tombstones.
"""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class DeletionQuerySet(models.QuerySet):
    def of_table(self, table: str):
        return self.filter(source_table=table)


class Deletion(models.Model):
    # The database table of the deleted row (catalog_repository…) and its id.
    source_table = models.CharField(_("table"), max_length=63)
    object_id = models.BigIntegerField(_("identifiant"))
    deleted_at = models.DateTimeField(_("supprimé le"), db_default=Now())

    objects = DeletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suppression")
        verbose_name_plural = _("suppressions")
        indexes = [
            models.Index(
                fields=["source_table", "deleted_at", "object_id"], name="api_deletion_sync"
            ),
        ]

    def __str__(self):
        return f"{self.source_table}#{self.object_id}"
