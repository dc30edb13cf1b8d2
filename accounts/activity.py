"""What an agent declared on the portal, for their profile page: one query per moderated
model (moderation.registry), each in its profile section (``ACTIVITY_KEY``)."""

from moderation.models import ModerationStatus
from moderation.registry import moderated_models


def activity_of(user) -> dict:
    """Everything ``user`` declared, by kind, evaluated (one query per kind whatever the
    numbers)."""
    activity = {
        model.ACTIVITY_KEY: list(model.objects.declared_by(user)) for model in moderated_models()
    }
    rows = [row for kind in activity.values() for row in kind]
    activity["total"] = len(rows)
    activity["pending"] = sum(row.moderation_status == ModerationStatus.PENDING for row in rows)
    return activity
