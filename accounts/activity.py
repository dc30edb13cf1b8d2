"""What an agent declared on the portal, for their profile page: one query per kind."""

from moderation.models import ModerationStatus


def sill_declarations_of(user):
    """Their "I use it" and "I am a referent" declarations, by software."""
    from sill.models import Declaration

    return (
        Declaration.objects.filter(user=user)
        .select_related("software", "public_body")
        .defer("software__search_vector")
        .order_by("software__name", "kind")
    )


def instances_of(user):
    from sill.models import Instance

    return (
        Instance.objects.filter(user=user)
        .select_related("software", "public_body")
        .defer("software__search_vector")
        .order_by("software__name", "url")
    )


def proposals_of(user):
    """Software they proposed for the SILL, newest first."""
    from sill.models import Software

    return (
        Software.objects.filter(submitted_by=user)
        .defer("search_vector")
        .order_by("-added_at", "-pk")
    )


def contributions_of(user):
    from contributions.models import Contribution

    return (
        Contribution.objects.filter(author=user)
        .select_related("public_body")
        .order_by("-started_on", "-pk")
    )


def unpublished_code_of(user):
    from contributions.models import UnpublishedCode

    return (
        UnpublishedCode.objects.filter(author=user)
        .select_related("public_body")
        .order_by("-created_at", "-pk")
    )


def activity_of(user) -> dict:
    """Everything ``user`` declared, by kind, evaluated (five queries whatever the numbers)."""
    activity = {
        "declarations": list(sill_declarations_of(user)),
        "instances": list(instances_of(user)),
        "proposals": list(proposals_of(user)),
        "contributions": list(contributions_of(user)),
        "unpublished_code": list(unpublished_code_of(user)),
    }
    activity["total"] = sum(len(rows) for rows in activity.values())
    activity["pending"] = sum(
        row.moderation_status == ModerationStatus.PENDING
        for key, rows in activity.items()
        if isinstance(rows, list)
        for row in rows
    )
    return activity
