"""Writes on what agents declare: creating a row once per form, editing, withdrawing, and the
editors' decisions (publish, reject, hide) on every moderated model."""

import logging
import smtplib
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.pagecache import pages_changed
from moderation.models import ModerationStatus, status_after_edit

logger = logging.getLogger(__name__)


def create_once(model, *, token, author, **values):
    """Create a row for a form submission, or return the row that token already created.

    Returns ``(row, created)``. A token created by another author never returns their row:
    it raises ``PermissionError`` (a forged resubmission).
    """
    author_field = model.AUTHOR_FIELD
    token = uuid.UUID(str(token)) if token else uuid.uuid4()
    existing = model.objects.filter(submission_token=token).first()
    if existing is None:
        try:
            with transaction.atomic():
                row = model.objects.create(
                    submission_token=token, **{author_field: author}, **values
                )
            pages_changed()  # a trusted author's row is published at once
            return row, True
        except IntegrityError:
            existing = model.objects.filter(submission_token=token).first()
            if existing is None:
                raise
    if getattr(existing, f"{author_field}_id") != author.pk:
        raise PermissionError("submission token of another author")
    return existing, False


def update_declared(*, row, values: dict, by) -> None:
    """Save changes to what an agent declared (``status_after_edit`` decides its status)."""
    for field, value in values.items():
        setattr(row, field, value)
    row.moderation_status = status_after_edit(row, by=by)
    row.save()
    pages_changed()


def withdraw(*, row) -> None:
    """Delete something an agent declared; what refers to it is set null or deleted by the
    foreign keys (an instance goes with its software, a highlight with its contribution)."""
    row.delete()
    pages_changed()


class ModerationError(ValueError):
    """A decision that cannot be taken (a rejection without a reason, say)."""


def publish(obj, *, by):
    """Publish a pending or hidden declaration; its author's later declarations skip review."""
    _decide(obj, status=ModerationStatus.PUBLISHED, by=by, reason="")
    author = obj.author
    if author is not None and author.trusted_at is None:
        author.trusted_at = timezone.now()
        author.save(update_fields=["trusted_at"])
    _notify(obj, template="emails/moderation_published.txt")


def reject(obj, *, by, reason):
    """Refuse a pending declaration; the author receives the reason by email."""
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError("a rejection needs a reason")
    _decide(obj, status=ModerationStatus.REJECTED, by=by, reason=reason)
    _notify(obj, template="emails/moderation_rejected.txt")


def hide(obj, *, by, reason=""):
    """Take a published declaration off the public pages, keeping it for its author."""
    _decide(obj, status=ModerationStatus.HIDDEN, by=by, reason=(reason or "").strip())


def _decide(obj, *, status, by, reason):
    obj.moderation_status = status
    obj.moderated_by = by
    obj.moderated_at = timezone.now()
    obj.moderation_reason = reason
    obj.save(
        update_fields=["moderation_status", "moderated_by", "moderated_at", "moderation_reason"]
    )
    # What anonymous visitors see changed (home counters, listings): no page from before.
    pages_changed()


def _notify(obj, *, template):
    author = obj.author
    if author is None or not author.email:
        return
    context = {
        "object": obj,
        "kind": obj._meta.verbose_name,
        "reason": obj.moderation_reason,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL or f"https://{settings.SITE_NAME}",
    }
    subject, _, body = render_to_string(template, context).strip().partition("\n")
    # Sent once the decision is committed, so a rolled-back decision mails nobody.
    transaction.on_commit(lambda: _send(subject.strip(), body.strip(), author.email))


def _send(subject, body, address):
    """A mail server that is down must not undo or interrupt the editors' decisions."""
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except (OSError, smtplib.SMTPException):
        logger.warning("Moderation mail to %s not sent", address, exc_info=True)
