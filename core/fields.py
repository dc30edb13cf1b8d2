"""Model fields declared the same way in several apps.

Rows of many apps point to a public body or to a user with the same rule (the link may be
empty and is emptied, never cascaded, when its target goes) and keep web addresses of the
same bounded length. These factories write that rule once; each returns a plain Django
field, so the migrations see exactly what a hand-written declaration gives.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from core.forms import URL_MAX_LENGTH


def optional_link(
    to, *, related_name: str, on_delete=models.SET_NULL, **options
) -> models.ForeignKey:
    """A ForeignKey to `to` that may be empty and, unless `on_delete` says otherwise, is set
    to NULL when its target goes: the row outlives what it points to."""
    return models.ForeignKey(
        to,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related_name,
        **options,
    )


def user_link(*, related_name: str, **options) -> models.ForeignKey:
    """An optional link to a user (author, proposer, moderator): deleting the account keeps
    the row, without its author."""
    return optional_link(settings.AUTH_USER_MODEL, related_name=related_name, **options)


def public_body_link(*, related_name: str, **options) -> models.ForeignKey:
    """An optional link to the public body a row belongs to, labelled "organisme public"
    unless `verbose_name` says otherwise."""
    options.setdefault("verbose_name", _("organisme public"))
    return optional_link("catalog.PublicBody", related_name=related_name, **options)


def optional_url(verbose_name, **options) -> models.URLField:
    """An optional web address of at most URL_MAX_LENGTH characters."""
    return models.URLField(verbose_name, max_length=URL_MAX_LENGTH, blank=True, **options)


def modified_at() -> models.DateTimeField:
    """When the row last changed in what the public read API shows: the database sets it on
    every insert and on every update that changes another column (a trigger created by the
    api app's migrations, so that bulk upserts and ``.update()`` count too). Pagination and
    incremental sync order on ``(modified_at, id)``: see docs/adr/0016-public-read-api.md."""
    return models.DateTimeField(_("modifié le"), db_default=Now(), editable=False)


def modified_index(prefix: str) -> models.Index:
    """The index of the API's ``(modified_at, id)`` ordering."""
    return models.Index(fields=["modified_at", "id"], name=f"{prefix}_modified")
