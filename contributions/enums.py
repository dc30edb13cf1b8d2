from django.db import models
from django.utils.translation import gettext_lazy as _


class ContributionKind(models.TextChoices):
    CODE = "code", _("code")
    DOCUMENTATION = "documentation", _("documentation")
    TRANSLATION = "translation", _("traduction")
    BUG_REPORT = "bug_report", _("signalement de bogue")
    REVIEW = "review", _("relecture de code")
    MAINTENANCE = "maintenance", _("maintenance")
    FUNDING = "funding", _("financement")
    EVENT = "event", _("événement")
