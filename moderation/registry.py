"""The one list of moderated models, discovered from the app registry: a model that inherits
``Moderated`` is in the editors' queue, the admin counts and the agent's profile without being
named anywhere else."""

from django.apps import apps

from moderation.models import Moderated


def moderated_models() -> list:
    """Every concrete ``Moderated`` model, in INSTALLED_APPS then definition order."""
    return [model for model in apps.get_models() if issubclass(model, Moderated)]
