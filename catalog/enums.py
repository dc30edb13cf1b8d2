from django.db import models
from django.utils.translation import gettext_lazy as _


class ForgeKind(models.TextChoices):
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    GITEA = "gitea", "Gitea"
    FORGEJO = "forgejo", "Forgejo"
    GOGS = "gogs", "Gogs"
    SOURCEHUT = "sourcehut", "SourceHut"
    BITBUCKET = "bitbucket", "Bitbucket"


# Kinds whose API the harvester speaks; the others are recorded but not harvested yet.
HARVESTED_KINDS = frozenset(
    {ForgeKind.GITHUB, ForgeKind.GITLAB, ForgeKind.GITEA, ForgeKind.FORGEJO, ForgeKind.GOGS}
)


class OwnerKind(models.TextChoices):
    ORGANIZATION = "organization", _("organisation")
    USER = "user", _("compte personnel")
    GROUP = "group", _("groupe")
    UNKNOWN = "", _("inconnu")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("en cours")
    OK = "ok", _("réussie")
    PARTIAL = "partial", _("incomplète")
    FAILED = "failed", _("échouée")
    RATE_LIMITED = "rate_limited", _("limite de requêtes atteinte")
    SKIPPED = "skipped", _("ignorée")


class NameSource(models.TextChoices):
    """Where a public body's name comes from, from the least to the most trusted."""

    OWNERS = "owners", _("noms de ses comptes sur les forges")
    OSPO = "ospo", _("liste des OSPO du secteur public")
    TOP = "top", _("liste des ministères et grandes institutions")
    DIRECTORY = "directory", _("annuaire de l’administration")
    EDITOR = "editor", _("équipe éditoriale")
