"""Writes on accounts."""

from django.db import transaction


@transaction.atomic
def delete_account(*, user) -> None:
    """Delete an agent's account, keeping everything they declared.

    Their declarations, instances, contributions and unpublished code stay, credited to their
    public body (copied onto the rows that have none); the foreign keys to the user are
    SET_NULL, so no name remains. A contact address of unpublished code that is the agent's
    own address goes with the account.
    """
    from contributions.models import Contribution, UnpublishedCode
    from sill.models import Declaration, Instance

    owned = (
        (Declaration, "user"),
        (Instance, "user"),
        (Contribution, "author"),
        (UnpublishedCode, "author"),
    )
    if user.public_body_id:
        for model, author_field in owned:
            model.objects.filter(**{author_field: user, "public_body__isnull": True}).update(
                public_body_id=user.public_body_id
            )
    UnpublishedCode.objects.filter(author=user, contact__iexact=user.email).update(contact="")
    user.delete()
