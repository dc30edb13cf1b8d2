from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    """What agents declare goes through moderation: the abstract model, the decisions, the
    editors' queue and the one set of declaration views every declared model uses."""

    name = "moderation"
    verbose_name = _("Modération")
