from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from accounts.models import User
from catalog.models import PublicBody


class LoginForm(DsfrBaseForm, AuthenticationForm):
    """Email and password login, rendered with DSFR fields."""

    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. "
            "Le mot de passe tient compte des majuscules et des minuscules."
        ),
        "inactive": _("Ce compte est désactivé."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Adresse électronique")
        self.fields["username"].widget.input_type = "email"
        self.fields["username"].widget.attrs["autocomplete"] = "email"
        self.fields["password"].label = _("Mot de passe")


class ProfileForm(DsfrBaseForm, forms.ModelForm):
    """What an agent says about themselves; the email address is their identity, not editable."""

    public_body = forms.ModelChoiceField(
        label=_("Organisme public"),
        queryset=PublicBody.objects.none(),
        required=False,
        empty_label=_("Choisir un organisme"),
        help_text=_("Vos déclarations sont faites au nom de cet organisme."),
    )
    about = forms.CharField(
        label=_("Présentation"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Quelques mots publics sur vous et votre travail (1 000 caractères au plus)."),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "public_body", "about", "show_name"]
        labels = {"first_name": _("Prénom"), "last_name": _("Nom")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Named bodies, plus the one ProConnect may have set from a SIRET without a name.
        current = Q(pk=self.instance.public_body_id) if self.instance.public_body_id else Q()
        self.fields["public_body"].queryset = PublicBody.objects.filter(
            ~Q(name="") | current
        ).order_by("name", "pso_id")
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"


class DeleteAccountForm(DsfrBaseForm):
    """The agent retypes their address to confirm that the account goes."""

    email = forms.CharField(
        label=_("Votre adresse électronique, pour confirmer"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.user.email.lower():
            raise forms.ValidationError(
                _("Cette adresse n’est pas celle de votre compte : le compte n’est pas supprimé.")
            )
        return email


class PasswordChangeForm(DsfrBaseForm, auth_forms.PasswordChangeForm):
    """Django's password change, with DSFR fields (and its password validators)."""
