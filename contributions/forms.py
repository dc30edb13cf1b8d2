"""Forms of the declarations: a contribution to free software, code not yet published."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from catalog.models import PublicBody
from contributions.enums import ContributionKind
from contributions.services import CONTRIBUTION_FIELDS, UNPUBLISHED_FIELDS
from core.forms import URL_MAX_LENGTH, SubmissionTokenMixin, web_url_field
from core.validators import WEB_URL

MAX_EVIDENCE_LINKS = 20
MAX_TECHNOLOGIES = 20
MAX_TECHNOLOGY_LENGTH = 50
DESCRIPTION_MAX_LENGTH = 5000


class DeclarationForm(DsfrBaseForm, SubmissionTokenMixin):
    """A declaration form, for a contribution or for code to publish."""

    def __init__(self, *args, user, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not creating:  # an edit changes a row: nothing to deduplicate
            del self.fields["submission_token"]
        body = self.fields["public_body"]
        # Bodies a person can recognise; never "Organisme non identifié".
        body.queryset = PublicBody.objects.named().order_by("name", "pk")
        if user.public_body_id:
            body.initial = user.public_body_id
            body.help_text = _(
                "Par défaut, l’organisme de votre compte. "
                "Changez-le si vous avez agi pour un autre."
            )
        else:
            body.help_text = _(
                "Votre compte n’est rattaché à aucun organisme public : choisissez celui pour "
                "lequel vous avez agi. Vous pouvez aussi renseigner votre organisme dans votre "
                "compte."
            )
        # DsfrBaseForm built the bound fields already: let it see the new help text.
        self._bound_fields_cache.pop("public_body", None)


def public_body_field(label):
    return forms.ModelChoiceField(
        label=label,
        queryset=PublicBody.objects.none(),
        empty_label=_("Choisir un organisme public"),
        error_messages={
            "required": _("Choisissez l’organisme public au titre duquel vous déclarez."),
            "invalid_choice": _(
                "Cet organisme public n’existe pas : choisissez-en un de la liste."
            ),
        },
    )


def description_field(*, required, help_text=""):
    return forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=required,
        help_text=help_text,
    )


def date_field(label, *, required, help_text):
    """A date picked in the browser's calendar (an HTML date input, which reads and writes
    ISO dates: the initial value must be written that way to show)."""
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=help_text,
    )


def evidence_links(text):
    """The evidence links typed one per line: http(s) addresses, without duplicates, at most
    MAX_EVIDENCE_LINKS; a ValidationError names each wrong line."""
    lines = [line.strip() for line in (text or "").splitlines()]
    urls, errors = [], []
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        if len(line) > URL_MAX_LENGTH:
            errors.append(
                _("Ligne %(line)s : l’adresse dépasse %(max)s caractères.")
                % {"line": number, "max": URL_MAX_LENGTH}
            )
            continue
        try:
            WEB_URL(line)
        except ValidationError:
            errors.append(
                _(
                    "Ligne %(line)s : « %(value)s » n’est pas une adresse web commençant "
                    "par http:// ou https://."
                )
                % {"line": number, "value": line[:80]}
            )
            continue
        if line not in urls:
            urls.append(line)
    if errors:
        raise ValidationError(errors)
    if len(urls) > MAX_EVIDENCE_LINKS:
        raise ValidationError(
            _("Indiquez %(max)s liens au plus (vous en avez saisi %(count)s).")
            % {"max": MAX_EVIDENCE_LINKS, "count": len(urls)}
        )
    return urls


class ContributionForm(DeclarationForm):
    project_name = forms.CharField(
        label=_("Nom du projet"),
        max_length=200,
        help_text=_("Le logiciel libre auquel vous avez contribué, par exemple « LibreOffice »."),
    )
    project_url = web_url_field(
        _("Adresse du projet"),
        required=True,
        help_text=_(
            "Son dépôt de code ou son site, par exemple https://github.com/organisation/projet."
        ),
        error_messages={
            "invalid": _("Saisissez une adresse web complète, commençant par http:// ou https://.")
        },
    )
    kind = forms.ChoiceField(
        label=_("Nature de la contribution"),
        choices=ContributionKind.choices,
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        label=_("Liens vers la contribution"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_EVIDENCE_LINKS * (URL_MAX_LENGTH + 2),
        help_text=_(
            "Demandes de fusion, commits, tickets, versions, annonces… "
            "Une adresse par ligne, %(max)s au plus."
        )
        % {"max": MAX_EVIDENCE_LINKS},
    )
    started_on = date_field(
        _("Date, ou début de la période"),
        required=True,
        help_text=_("Le jour de la contribution, ou son premier jour si elle a duré."),
    )
    ended_on = date_field(
        _("Fin de la période"),
        required=False,
        help_text=_("Seulement si la contribution s’est étalée dans le temps."),
    )
    description = description_field(
        required=False,
        help_text=_(
            "Ce que vous avez fait et pourquoi (5 000 caractères au plus). "
            "La mise en forme Markdown est acceptée."
        ),
    )
    public_body = public_body_field(_("Organisme public"))

    field_order = [
        "project_name",
        "project_url",
        "kind",
        "evidence",
        "started_on",
        "ended_on",
        "description",
        "public_body",
    ]

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            initial = model_to_dict(instance, fields=CONTRIBUTION_FIELDS)
            initial["evidence"] = "\n".join(initial.pop("evidence_urls"))
            kwargs.setdefault("initial", initial)
        super().__init__(*args, creating=instance is None, **kwargs)

    def clean_evidence(self):
        return evidence_links(self.cleaned_data["evidence"])

    def clean_started_on(self):
        started_on = self.cleaned_data["started_on"]
        if started_on > timezone.localdate():
            raise ValidationError(_("La date ne peut pas être dans le futur."))
        return started_on

    def clean_ended_on(self):
        ended_on = self.cleaned_data.get("ended_on")
        if ended_on and ended_on > timezone.localdate():
            raise ValidationError(_("La fin de la période ne peut pas être dans le futur."))
        return ended_on

    def clean(self):
        cleaned = super().clean()
        started_on, ended_on = cleaned.get("started_on"), cleaned.get("ended_on")
        if started_on and ended_on and ended_on < started_on:
            self.add_error(
                "ended_on", _("La fin de la période doit être postérieure ou égale à son début.")
            )
        return cleaned

    def values(self):
        """The cleaned data as the service's keyword arguments."""
        data = self.cleaned_data
        return {
            "project_name": data["project_name"].strip(),
            "project_url": data["project_url"],
            "kind": data["kind"],
            "evidence_urls": data["evidence"],
            "started_on": data["started_on"],
            "ended_on": data.get("ended_on"),
            "description": data["description"].strip(),
            "public_body": data["public_body"],
        }


class UnpublishedCodeForm(DeclarationForm):
    name = forms.CharField(label=_("Nom du code ou du projet"), max_length=200)
    description = description_field(
        required=True,
        help_text=_("Ce que fait ce code et à qui il pourrait servir (5 000 caractères au plus)."),
    )
    public_body = public_body_field(_("Organisme public"))
    technologies = forms.CharField(
        label=_("Technologies"),
        required=False,
        max_length=MAX_TECHNOLOGIES * (MAX_TECHNOLOGY_LENGTH + 2),
        help_text=_(
            "Langages, cadriciels, bases de données… séparés par des virgules, "
            "par exemple « Python, Django, PostgreSQL » (%(max)s au plus)."
        )
        % {"max": MAX_TECHNOLOGIES},
    )
    reason = forms.CharField(
        label=_("Pourquoi ce code n’est-il pas encore publié ?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Secrets à retirer, licence à choisir, validation en attente… "
            "(2 000 caractères au plus)."
        ),
    )
    contact = forms.EmailField(
        label=_("Adresse de contact"),
        max_length=254,
        help_text=_("Visible des autres agents connectés, pour qu’ils puissent vous écrire."),
        error_messages={
            "invalid": _(
                "Saisissez une adresse électronique valide, par exemple nom@organisme.gouv.fr."
            )
        },
    )
    planned_on = date_field(
        _("Publication prévue le"), required=False, help_text=_("Une date approximative suffit.")
    )

    # The declared fields, shown in the order the service reads them.
    field_order = UNPUBLISHED_FIELDS

    def __init__(self, *args, instance=None, user, **kwargs):
        if instance is not None:
            initial = model_to_dict(instance, fields=UNPUBLISHED_FIELDS)
            initial["technologies"] = ", ".join(initial["technologies"])
            kwargs.setdefault("initial", initial)
        super().__init__(*args, user=user, creating=instance is None, **kwargs)
        if instance is None:
            self.fields["contact"].initial = user.email
        self.original_planned_on = instance.planned_on if instance is not None else None

    def clean_technologies(self):
        names = []
        for raw in self.cleaned_data["technologies"].split(","):
            name = " ".join(raw.split())
            if not name:
                continue
            if len(name) > MAX_TECHNOLOGY_LENGTH:
                raise ValidationError(
                    _("« %(name)s » dépasse %(max)s caractères : une technologie par nom court.")
                    % {"name": name[:60] + "…", "max": MAX_TECHNOLOGY_LENGTH}
                )
            if name.lower() not in {n.lower() for n in names}:
                names.append(name)
        if len(names) > MAX_TECHNOLOGIES:
            raise ValidationError(
                _("Indiquez %(max)s technologies au plus (vous en avez saisi %(count)s).")
                % {"max": MAX_TECHNOLOGIES, "count": len(names)}
            )
        return names

    def clean_planned_on(self):
        planned_on = self.cleaned_data.get("planned_on")
        # A date already past is fine on an older entry, not on a new one (or a new date).
        if (
            planned_on
            and planned_on < timezone.localdate()
            and planned_on != self.original_planned_on
        ):
            raise ValidationError(_("La date de publication prévue ne peut pas être passée."))
        return planned_on

    def values(self):
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "description": data["description"].strip(),
            "public_body": data["public_body"],
            "technologies": data["technologies"],
            "reason": data["reason"].strip(),
            "contact": data["contact"],
            "planned_on": data.get("planned_on"),
        }
