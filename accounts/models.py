from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fields import public_body_link


class UserManager(DjangoUserManager):
    """Users are created from an email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not (extra_fields["is_staff"] and extra_fields["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Logins are case-insensitive: addresses are stored lower-cased.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a public agent, an editor or an administrator."""

    email = models.EmailField(_("adresse électronique"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(pgettext_lazy("family name", "nom"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("accès à l'administration"),
        default=False,
        help_text=_("Peut se connecter à l'interface d'administration."),
    )
    is_active = models.BooleanField(
        _("actif"),
        default=True,
        help_text=_("Décochez plutôt que de supprimer le compte."),
    )
    date_joined = models.DateTimeField(_("date d'inscription"), default=timezone.now)
    public_body = public_body_link(related_name="members")
    # When their body is not in the list: the name the agent typed, for an editor to attach
    # their declarations to the right body (sill Declaration.public_body_unlisted).
    public_body_unlisted = models.CharField(
        _("organisme non répertorié"),
        max_length=300,
        blank=True,
        help_text=_(
            "Le nom de son organisme, indiqué par l’agent faute de le trouver dans la liste."
        ),
    )
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        help_text=_("Établissement de l’agent, tel que ProConnect le transmet."),
    )
    about = models.TextField(
        _("présentation"),
        max_length=1000,
        blank=True,
        help_text=_("Quelques mots publics sur vous et votre travail (1 000 caractères au plus)."),
    )
    show_name = models.BooleanField(
        _("afficher mon nom sur mes contributions"),
        default=False,
        help_text=_("Sinon, seules celles de votre organisme apparaissent."),
    )
    # Set when an editor publishes one of the user's declarations: later ones need no review.
    trusted_at = models.DateTimeField(_("déclarations de confiance depuis"), null=True, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        permissions = [
            ("moderate_declarations", _("Peut modérer les déclarations des agents")),
        ]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def public_body_given(self) -> bool:
        """True when the agent said on whose behalf they declare: a body chosen from the list,
        or the name of one that is not in it."""
        return bool(self.public_body_id or self.public_body_unlisted)
