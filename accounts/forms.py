from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm


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
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})
        self.fields["password"].label = _("Mot de passe")
