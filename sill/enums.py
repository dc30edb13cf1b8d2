from django.db import models
from django.utils.translation import gettext_lazy as _


class SoftwareStatus(models.TextChoices):
    RECOMMENDED = "recommended", _("recommandé")
    OBSERVATION = "observation", _("en observation")
    DEREFERENCED = "dereferenced", _("déréférencé")


class DeclarationKind(models.TextChoices):
    USER = "user", _("utilisateur")
    REFERENT = "referent", _("référent")
