"""The form where an agent proposes a BlueHats event (moderated like every declaration)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from bluehats.enums import EventKind
from bluehats.models import PARIS
from bluehats.services import PROFILE_FIELDS, PROPOSAL_FIELDS
from catalog.models import PublicBody
from core.forms import SubmissionTokenMixin, web_url_field

NONEXISTENT_TIME = _(
    "Cette heure n’existe pas à Paris ou y est ambiguë (nuit du changement d’heure) : "
    "choisissez-en une autre."
)


class ParisDateTimeField(forms.DateTimeField):
    """A date and time typed in Europe/Paris time, whatever the server's zone; a time the
    clocks skip (2:30 on the last Sunday of March) or pass twice is refused."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"])
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if hasattr(value, "tzinfo") and value.tzinfo is not None:
            value = timezone.localtime(value, PARIS)
        return super().prepare_value(value)

    def to_python(self, value):
        with timezone.override(PARIS):
            try:
                return super().to_python(value)
            except ValidationError as error:
                if getattr(error, "code", None) == "ambiguous_timezone":
                    raise ValidationError(NONEXISTENT_TIME, code="nonexistent") from None
                raise


class EventProposalForm(DsfrBaseForm, SubmissionTokenMixin):
    kind = forms.ChoiceField(label=_("Type d’événement"), choices=EventKind.choices)
    title = forms.CharField(label=_("Titre"), max_length=200)
    start_at = ParisDateTimeField(
        label=_("Début"), help_text=_("Heure de Paris, par exemple 2025-01-10 11:00.")
    )
    end_at = ParisDateTimeField(label=_("Fin"), help_text=_("Heure de Paris."))
    online = forms.BooleanField(label=_("En ligne"), required=False)
    place = forms.CharField(
        label=_("Lieu"), max_length=300, required=False, help_text=_("Adresse, ville, salle…")
    )
    online_url = web_url_field(_("Lien de connexion"), required=False)
    registration_url = web_url_field(_("Lien d’inscription"), required=False)
    organiser = forms.ModelChoiceField(
        label=_("Organisme organisateur"),
        queryset=PublicBody.objects.none(),
        empty_label=_("Choisir un organisme public"),
        required=False,
    )
    speakers = forms.CharField(
        label=_("Intervenants"),
        max_length=500,
        required=False,
        help_text=_("Noms et organismes, séparés par des virgules."),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        required=False,
        help_text=_("Programme, public visé… La mise en forme Markdown est acceptée."),
    )

    field_order = [*PROPOSAL_FIELDS]

    def __init__(self, *args, user, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", model_to_dict(instance, fields=PROPOSAL_FIELDS))
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["submission_token"]
        organiser = self.fields["organiser"]
        organiser.queryset = PublicBody.objects.named().order_by("name", "pk")
        if instance is None and user.public_body_id:
            organiser.initial = user.public_body_id
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        start_at, end_at = cleaned.get("start_at"), cleaned.get("end_at")
        if start_at and end_at and end_at <= start_at:
            self.add_error("end_at", _("La fin de l’événement doit suivre son début."))
        if not cleaned.get("online") and not cleaned.get("place"):
            self.add_error("place", _("Indiquez le lieu, ou cochez « En ligne »."))
        return cleaned

    def values(self):
        data = self.cleaned_data
        return {field: data.get(field) for field in PROPOSAL_FIELDS} | {
            field: data.get(field) or ""
            for field in ("place", "online_url", "registration_url", "description", "speakers")
        }


MAX_FORGE_HANDLES = 10
FORGE_HANDLE = re.compile(
    r"^[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?/[\w.~-]+(?:/[\w.~-]+)*$", re.IGNORECASE
)


def forge_handles(text: str) -> list[str]:
    """One account a line, `github.com/jdupont` or its https address, as `host/handle`."""
    handles, errors = [], []
    for line in text.splitlines():
        value = line.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
        if not value:
            continue
        if not FORGE_HANDLE.match(value):
            errors.append(
                _("« %(value)s » n’est pas un compte de forge (par exemple github.com/jdupont).")
                % {"value": value[:80]}
            )
        elif value.lower() not in [h.lower() for h in handles]:
            handles.append(value)
    if errors:
        raise ValidationError(errors)
    if len(handles) > MAX_FORGE_HANDLES:
        raise ValidationError(_("%(max)s comptes au plus.") % {"max": MAX_FORGE_HANDLES})
    return handles


class ContributorProfileForm(DsfrBaseForm):
    is_public = forms.BooleanField(
        label=_("Rendre mon profil public"),
        required=False,
        help_text=_(
            "Visible de tous, avec vos contributions publiées et les événements où vous êtes "
            "intervenu. Votre adresse électronique n’y figure jamais."
        ),
    )
    display_name = forms.CharField(label=_("Nom affiché"), max_length=120)
    short_bio = forms.CharField(
        label=_("Présentation courte"),
        max_length=300,
        required=False,
        help_text=_("Une phrase : votre rôle, vos sujets."),
    )
    body = forms.CharField(
        label=_("Présentation"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        required=False,
        help_text=_("La mise en forme Markdown est acceptée (5 000 caractères au plus)."),
    )
    forge_handles = forms.CharField(
        label=_("Comptes sur les forges"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Un par ligne, par exemple github.com/jdupont ou gitlab.com/jdupont."),
    )
    shows_referent_declarations = forms.BooleanField(
        label=_("Montrer les logiciels du SILL dont je suis référent"),
        required=False,
        help_text=_("Vos déclarations de référent publiées, sur votre profil public."),
    )

    def __init__(self, *args, user, instance=None, **kwargs):
        if instance is not None:
            initial = {field: getattr(instance, field) for field in PROFILE_FIELDS}
            initial["forge_handles"] = "\n".join(instance.forge_handles)
        else:
            name = f"{user.first_name} {user.last_name}".strip()
            initial = {"display_name": name}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if "@" in name:
            raise ValidationError(_("Un nom, pas une adresse électronique."))
        return name

    def clean_forge_handles(self):
        return forge_handles(self.cleaned_data["forge_handles"])

    def values(self):
        return {field: self.cleaned_data[field] for field in PROFILE_FIELDS}
