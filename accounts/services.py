"""Writes on accounts."""

from django.db import transaction

from moderation.registry import moderated_models


@transaction.atomic
def delete_account(*, user) -> None:
    """Delete an agent's account, keeping everything they declared.

    Their declarations, instances, contributions and unpublished code stay, credited to their
    public body (copied onto the rows that have none); the foreign keys to the user are
    SET_NULL, so no name remains. A contact address of unpublished code that is the agent's
    own address goes with the account.
    """
    for model in moderated_models():
        model.objects.hand_over(user)
    user.delete()
