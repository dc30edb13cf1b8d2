"""What public agents fill in on the SILL: declarations of use or referent, instances,
proposals of new software."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from catalog.licenses import NOASSERTION, normalize_license
from core.forms import SubmissionTokenMixin, web_url_field
from moderation.models import ModerationStatus
from sill.enums import DeclarationKind
from sill.models import Declaration, Instance, Software


class DeclarationForm(DsfrBaseForm, forms.ModelForm):
    """A declaration of use ("utilisateur") or of expertise ("référent")."""

    version = forms.CharField(
        label=_("Version utilisée"),
        required=False,
        max_length=100,
        help_text=_("Par exemple : 7.6 ou « dernière version stable »."),
    )
    use_case = forms.CharField(
        label=_("Cas d’usage"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "À quoi ce logiciel sert-il dans votre service ? 2 000 caractères au plus, texte brut."
        ),
    )
    service_url = web_url_field(
        _("Adresse du service"),
        required=False,
        help_text=_("Si vous proposez ce logiciel comme un service en ligne : https://…"),
    )
    is_expert = forms.BooleanField(
        label=_("Je peux répondre aux questions techniques sur ce logiciel"),
        required=False,
    )

    class Meta:
        model = Declaration
        fields = ["version", "use_case", "service_url", "is_expert"]

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != DeclarationKind.REFERENT:
            del self.fields["is_expert"]


class DeclarationCreateForm(SubmissionTokenMixin, DeclarationForm):
    pass


class InstanceForm(DsfrBaseForm, forms.ModelForm):
    """A deployed service running the software."""

    url = web_url_field(_("Adresse de l’instance"), required=True, help_text=_("https://…"))
    audience = forms.CharField(
        label=_("Public visé"),
        required=False,
        max_length=300,
        help_text=_("Par exemple : les agents du ministère, les usagers de la commune…"),
    )
    is_public = forms.BooleanField(
        label=_("Accessible au public"),
        required=False,
        initial=True,
        help_text=_(
            "Décochez si l’instance n’est accessible qu’aux agents (intranet) : elle ne sera "
            "montrée qu’aux personnes connectées."
        ),
    )

    class Meta:
        model = Instance
        fields = ["url", "audience", "is_public"]


class InstanceCreateForm(SubmissionTokenMixin, InstanceForm):
    pass


class ProposalForm(DsfrBaseForm, forms.Form):
    """A new software proposed for the SILL; an editor reviews it before it is listed."""

    name = forms.CharField(label=_("Nom du logiciel"), max_length=200)
    function = forms.CharField(
        label=_("Fonction"),
        required=False,
        max_length=500,
        help_text=_("En une phrase : à quoi sert-il ? Par exemple : « Traitement de texte »."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("5 000 caractères au plus, texte brut."),
    )
    license = forms.CharField(
        label=_("Licence"),
        required=False,
        max_length=255,
        help_text=_(
            "Identifiant ou expression SPDX, par exemple : MIT, AGPL-3.0-or-later, "
            "EUPL-1.2, CECILL-2.1, « GPL-2.0-only OR MIT »."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    website = web_url_field(_("Site web"), required=False)
    source_url = web_url_field(
        _("Code source"), required=False, help_text=_("Adresse du dépôt de code.")
    )
    documentation_url = web_url_field(_("Documentation"), required=False)
    category = forms.CharField(
        label=_("Catégorie"),
        required=False,
        max_length=200,
        help_text=_("Par exemple : Bureautique, Développement, Système…"),
    )

    def __init__(self, *args, user, software=None, **kwargs):
        self.user = user
        self.software = software
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        same = Software.objects.filter(
            name__iexact=name,
            moderation_status__in=[ModerationStatus.PUBLISHED, ModerationStatus.PENDING],
        )
        if self.software is not None:
            same = same.exclude(pk=self.software.pk)
        existing = same.order_by("-moderation_status").first()  # "published" first
        if existing is None:
            return name
        if existing.is_published or existing.submitted_by_id == self.user.pk:
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Ce logiciel est déjà au SILL ou proposé :"),
                    reverse("sill:detail", args=[existing.slug]),
                    existing.name,
                )
            )
        raise forms.ValidationError(
            _(
                "Un logiciel de ce nom a déjà été proposé et attend la validation de l’équipe "
                "éditoriale."
            )
        )

    def clean_license(self):
        value = self.cleaned_data["license"].strip()
        if not value:
            return ""
        normalized = normalize_license(value)
        if normalized == NOASSERTION:
            raise forms.ValidationError(
                _(
                    "Cette licence n’est pas un identifiant ou une expression SPDX reconnus "
                    "(par exemple MIT ou GPL-3.0-or-later)."
                )
            )
        return normalized


class ProposalCreateForm(SubmissionTokenMixin, ProposalForm):
    uses = forms.BooleanField(
        label=_("J’utilise ce logiciel"),
        required=False,
        help_text=_("Vous serez enregistré comme utilisateur, au nom de votre organisme."),
    )
    is_referent = forms.BooleanField(
        label=_("Je suis référent de ce logiciel"),
        required=False,
        help_text=_("Vous acceptez que vos collègues agents vous contactent à son sujet."),
    )

    def clean(self):
        cleaned = super().clean()
        if not self.user.public_body_given:
            message = _(
                "Pour vous déclarer utilisateur ou référent, indiquez d’abord votre organisme "
                "public dans votre profil."
            )
            for field in ("uses", "is_referent"):
                if cleaned.get(field):
                    self.add_error(field, message)
        return cleaned
