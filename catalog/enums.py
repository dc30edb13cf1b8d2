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


class ArchiveState(models.TextChoices):
    """What Software Heritage holds of a repository, as last checked (catalog.services.archive)."""

    ARCHIVED = "archived", _("Archivé")
    OUTDATED = "archived_outdated", _("Archivé, copie ancienne")
    NO_SNAPSHOT = "visited_no_snapshot", _("Visité, rien d’archivé")
    ABSENT = "absent", _("Pas encore archivé")
    UNKNOWN = "unknown", _("Non vérifié")


class SaveRequestStatus(models.TextChoices):
    """A Save Code Now request's decision; QUEUED: not sent yet (waits for the budget)."""

    QUEUED = "queued", _("à envoyer")
    ACCEPTED = "accepted", _("acceptée")
    PENDING = "pending", _("en attente de validation")
    REJECTED = "rejected", _("refusée")
    FAILED = "failed", _("échec de l’envoi")


class SaveTaskStatus(models.TextChoices):
    """Software Heritage's progress on an accepted save request."""

    NOT_CREATED = "not created", _("non créée")
    NOT_YET_SCHEDULED = "not yet scheduled", _("pas encore planifiée")
    PENDING = "pending", _("en attente")
    SCHEDULED = "scheduled", _("planifiée")
    RUNNING = "running", _("en cours")
    SUCCEEDED = "succeeded", _("réussie")
    FAILED = "failed", _("échouée")


class DependencyScope(models.TextChoices):
    """Why a manifest declares a dependency (catalog.manifests: the scopes of ADR 0020)."""

    RUNTIME = "runtime", _("exécution")
    DEVELOPMENT = "development", _("développement")
    PEER = "peer", _("pair (peer)")
    OPTIONAL = "optional", _("optionnelle")
    BUILD = "build", _("construction")


class Ecosystem(models.TextChoices):
    """The package ecosystems catalog.manifests reads, as purl types."""

    NPM = "npm", "npm"
    PYPI = "pypi", "PyPI"
    MAVEN = "maven", "Maven"
    COMPOSER = "composer", "Composer"
    GEM = "gem", "RubyGems"
    GOLANG = "golang", "Go"
    CARGO = "cargo", "Cargo"


class LibraryStatus(models.TextChoices):
    """What a package registry last said of a package a repository's manifest names
    (catalog.services.libraries, ADR 0021)."""

    UNCHECKED = "unchecked", _("pas encore vérifié")
    MATCHED = "matched", _("publié depuis le dépôt")
    MISMATCH = "mismatch", _("dépôt source différent")
    NO_SOURCE = "no_source", _("aucun dépôt source déclaré")
    NOT_FOUND = "not_found", _("absent du registre")
