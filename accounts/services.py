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

    if user.public_body_id:
        for model in (Declaration, Instance, Contribution, UnpublishedCode):
            model.objects.filter(**{model.AUTHOR_FIELD: user, "public_body__isnull": True}).update(
                public_body_id=user.public_body_id
            )
    UnpublishedCode.objects.filter(author=user, contact__iexact=user.email).update(contact="")
    user.delete()
