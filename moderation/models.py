"""What agents declare goes through moderation: the shared states, fields and queries.

A declaration is published at once when its author is trusted (an editor already published
one of their declarations, or they are an editor); otherwise it waits, ``pending``, for an
editor to publish or reject it. Proposals of new SILL software always wait. Editors can hide
a published declaration. The decisions themselves are in ``moderation.services``.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import user_link

# The permission of editors who moderate (declared on accounts.User's Meta).
MODERATE_PERMISSION = "accounts.moderate_declarations"


class ModerationStatus(models.TextChoices):
    PENDING = "pending", _("en attente de modération")
    PUBLISHED = "published", _("publié")
    REJECTED = "rejected", _("refusé")
    HIDDEN = "hidden", _("masqué")


class ModeratedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(moderation_status=ModerationStatus.PUBLISHED)

    def pending(self):
        return self.filter(moderation_status=ModerationStatus.PENDING)

    def visible_to(self, user):
        """Published rows, plus the user's own whatever their status; all for moderators."""
        if user.has_perm(MODERATE_PERMISSION):
            return self
        if user.is_authenticated:
            return self.filter(
                models.Q(moderation_status=ModerationStatus.PUBLISHED) | self.own_rows(user)
            )
        return self.published()

    def own_rows(self, user) -> models.Q:
        """Which of their own rows an authenticated user sees besides the published ones."""
        return models.Q(**{self.model.AUTHOR_FIELD: user})

    def declared_by(self, user):
        """What ``user`` declared, whatever its status: their profile lists it."""
        return self.filter(**{self.model.AUTHOR_FIELD: user})

    def hand_over(self, user) -> None:
        """Before ``user``'s account goes: what they declared without naming a public body is
        credited to theirs (their name goes with the account: the key is SET_NULL)."""
        if user.public_body_id and any(f.name == "public_body" for f in self.model._meta.fields):
            self.declared_by(user).filter(public_body__isnull=True).update(
                public_body_id=user.public_body_id
            )

    def editable_by(self, user):
        """The rows ``user`` may edit or delete: their own, or all of them for a moderator.

        Filtering (never fetching then checking) makes another agent's row a plain 404.
        """
        if user.has_perm(MODERATE_PERMISSION):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(**{self.model.AUTHOR_FIELD: user})


class Moderated(models.Model):
    """Moderation state of something an agent declared, and who decided it and when.

    A concrete model names its author's field in ``AUTHOR_FIELD``.
    """

    AUTHOR_FIELD = "author"
    # The section of the author's profile that lists these rows (accounts.activity).
    ACTIVITY_KEY = ""

    moderation_status = models.CharField(
        _("modération"),
        max_length=16,
        choices=ModerationStatus.choices,
        default=ModerationStatus.PUBLISHED,
        db_index=True,
    )
    moderated_by = user_link(verbose_name=_("modéré par"), related_name="+", editable=False)
    moderated_at = models.DateTimeField(_("modéré le"), null=True, blank=True, editable=False)
    moderation_reason = models.TextField(
        _("motif de la décision"), max_length=2000, blank=True, editable=False
    )
    # The token of the form that created the row: a form submitted twice creates one row.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        abstract = True

    @property
    def author(self):
        return getattr(self, self.AUTHOR_FIELD)

    def is_editable_by(self, user) -> bool:
        """The row-level twin of ``ModeratedQuerySet.editable_by``."""
        if user.has_perm(MODERATE_PERMISSION):
            return True
        return user.is_authenticated and getattr(self, f"{self.AUTHOR_FIELD}_id") == user.pk

    @property
    def is_published(self):
        return self.moderation_status == ModerationStatus.PUBLISHED

    @property
    def is_pending(self):
        return self.moderation_status == ModerationStatus.PENDING


def initial_status(user, *, always_moderated=False):
    """Status of a new declaration by ``user``: published at once only for trusted authors."""
    if user.has_perm(MODERATE_PERMISSION):
        return ModerationStatus.PUBLISHED
    if always_moderated or user.trusted_at is None:
        return ModerationStatus.PENDING
    return ModerationStatus.PUBLISHED


def status_after_edit(row, *, by):
    """A rejected declaration goes back to the editors' queue when its author corrects it;
    every other status stays (and an editor's correction keeps a rejection)."""
    if row.moderation_status == ModerationStatus.REJECTED and by.pk == getattr(
        row, f"{row.AUTHOR_FIELD}_id"
    ):
        return ModerationStatus.PENDING
    return row.moderation_status


def resubmitted(model, token, author):
    """The row this author's form already created with ``token``, if any (else None)."""
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    return model.objects.filter(submission_token=token, **{model.AUTHOR_FIELD: author}).first()
