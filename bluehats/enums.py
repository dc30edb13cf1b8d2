from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    WEBINAR = "webinar", _("webinaire")
    MEETUP = "meetup", _("rencontre")
    SPRINT = "sprint", _("sprint")
    HACKATHON = "hackathon", _("hackathon")
    TALK = "talk", _("intervention en conférence")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("prévu")
    CANCELLED = "cancelled", _("annulé")
    POSTPONED = "postponed", _("reporté")


class Period(models.TextChoices):
    """The periods of the upcoming events' filter, from now."""

    WEEK = "semaine", _("7 prochains jours")
    MONTH = "mois", _("30 prochains jours")
    QUARTER = "trimestre", _("3 prochains mois")
