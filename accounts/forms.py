import re
from dataclasses import dataclass

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from dsfr.forms import DsfrBaseForm

from accounts.models import User
from accounts.oidc import public_body_for_siret
from catalog.models import PublicBody
from core.search import MAX_QUERY_LENGTH, clean_query
from core.text import clean_line, strip_accents


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


# The value of the "not in the list" choice, beside the bodies' ids.
UNLISTED = "autre"
# At most this many bodies are offered for one search (one more tells there are others).
SEARCH_LIMIT = 20
# The name of the profile form's "Rechercher" button: the page comes back with the bodies
# found and everything typed so far, nothing saved.
SEARCH_BUTTON = "search_public_body"


@dataclass(frozen=True)
class BodyOption:
    """A radio button's label and hint (django-dsfr renders ``label.label`` and
    ``label.help_text``)."""

    label: str
    help_text: str = ""

    def __str__(self):
        return self.label


def body_option(body, *notes) -> BodyOption:
    """A body as a person recognises it: its name and acronym, its ministry, and ``notes``."""
    label = str(body)
    if body.acronym and body.acronym.lower() not in label.lower():
        label = f"{label} ({body.acronym})"
    hints = []
    if body.ministry_id and body.ministry_id != body.pk and body.ministry.name:
        hints.append(_("Ministère : %(ministry)s") % {"ministry": body.ministry.name})
    hints.extend(str(note) for note in notes)
    return BodyOption(label, " — ".join(hints))


class PublicBodyChoiceField(forms.ModelChoiceField):
    """A public body by its id, or UNLISTED. Which bodies are accepted is the queryset's
    business; which are offered, the widget's choices (the form sets both)."""

    widget = forms.RadioSelect

    def to_python(self, value):
        if value == UNLISTED:
            return UNLISTED
        return super().to_python(value)


class ProfileForm(DsfrBaseForm, forms.ModelForm):
    """What an agent says about themselves; the email address is their identity, not editable.

    Their public body is found by a search on the server (``SEARCH_BUTTON``, see
    ``searching``), chosen among at most SEARCH_LIMIT named bodies, or typed when it is not in
    the list. Choosing nothing keeps the current one.
    """

    about = forms.CharField(
        label=_("Présentation"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Quelques mots publics sur vous et votre travail (1 000 caractères au plus)."),
    )
    public_body_query = forms.CharField(
        label=_("Votre organisme public"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text=_(
            "Une partie de son nom ou son sigle, puis « Rechercher ». "
            "Par exemple : « culture » ou « DINUM »."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "organization", "spellcheck": "false"}),
    )
    public_body = PublicBodyChoiceField(
        label=_("Choisissez votre organisme"),
        queryset=PublicBody.objects.none(),
        required=False,
    )
    public_body_unlisted = forms.CharField(
        label=_("Nom de votre organisme, s’il n’est pas dans la liste"),
        required=False,
        max_length=300,
        help_text=_(
            "Choisissez alors « Mon organisme n’est pas dans la liste » ci-dessus : vous "
            "pourrez déclarer, et l’équipe éditoriale rattachera vos déclarations au bon "
            "organisme."
        ),
    )

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "about",
            "show_name",
            "public_body",
            "public_body_unlisted",
        ]
        labels = {"first_name": _("Prénom"), "last_name": _("Nom")}

    def __init__(self, *args, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["public_body_query"].widget.input_type = "search"
        user = self.instance
        # As saved, whatever is posted (validation copies the posted values on the instance).
        self.current_body = user.public_body if user.public_body_id else None
        self.current_unlisted = user.public_body_unlisted
        self.suggested_body = None
        if not user.public_body_given:
            suggested = public_body_for_siret(user.siret)
            if suggested is not None and suggested.name:
                self.suggested_body = suggested
        if "public_body" not in self.initial or self.initial["public_body"] is None:
            if user.public_body_unlisted:
                self.initial["public_body"] = UNLISTED
            elif self.suggested_body is not None:
                self.initial["public_body"] = self.suggested_body.pk
        # Named bodies are accepted, and the current one even without a name (ProConnect may
        # set one from a SIRET): it is kept, never offered to anyone else.
        current = Q(pk=user.public_body_id) if user.public_body_id else Q()
        self.fields["public_body"].queryset = PublicBody.objects.filter(~Q(name="") | current)
        self.search = clean_query(search)
        self.results = (
            list(PublicBody.objects.search(self.search)[: SEARCH_LIMIT + 1]) if self.search else []
        )
        self.more_results = len(self.results) > SEARCH_LIMIT
        self.results = self.results[:SEARCH_LIMIT]
        self.fields["public_body"].widget.choices = self.body_choices()
        # On the bound field: DsfrBaseForm made them all, copying each field's help text.
        self["public_body"].help_text = self.results_summary()

    @classmethod
    def searching(cls, data, *, instance):
        """The form after "Rechercher": unbound (nothing checked, nothing saved), showing
        what the agent typed and the bodies their search found."""
        typed = {
            name: field.widget.value_from_datadict(data, None, name)
            for name, field in cls.base_fields.items()
        }
        return cls(initial=typed, instance=instance, search=typed["public_body_query"] or "")

    def chosen_id(self):
        """The id of the body the form has checked (posted, or initially), if any."""
        value = self.data.get("public_body") if self.is_bound else self.initial.get("public_body")
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        return pk if 0 < pk < 2**63 else None

    def body_choices(self) -> list:
        """The radio buttons: the current body, the one checked, the one the SIRET names,
        the search results, then "not in the list"; never twice the same, never a nameless
        body but the agent's own."""
        notes = {}
        if self.current_body is not None:
            notes[self.current_body.pk] = [_("Organisme actuel")]
        if self.suggested_body is not None:
            notes.setdefault(self.suggested_body.pk, []).append(
                _("Suggéré d’après votre SIRET (ProConnect)")
            )
        wanted = [self.current_body and self.current_body.pk, self.chosen_id()]
        wanted.append(self.suggested_body and self.suggested_body.pk)
        known = {body.pk: body for body in self.results}
        missing = {pk for pk in wanted if pk and pk not in known}
        if missing:
            rows = self.fields["public_body"].queryset.filter(pk__in=missing)
            known.update({body.pk: body for body in rows.select_related("ministry")})
        ordered = [pk for pk in wanted if pk in known] + [body.pk for body in self.results]
        choices = [
            (pk, body_option(known[pk], *notes.get(pk, ()))) for pk in dict.fromkeys(ordered)
        ]
        choices.append(
            (
                UNLISTED,
                BodyOption(
                    _("Mon organisme n’est pas dans la liste"),
                    _("Indiquez son nom dans le champ ci-dessous."),
                ),
            )
        )
        return choices

    def results_summary(self):
        """What the search found, said in the radio group's legend."""
        if not self.search:
            return _("Cherchez votre organisme ci-dessus pour l’ajouter à cette liste.")
        if not self.results:
            if not re.search(r"\w\w", strip_accents(self.search)):
                return _("Saisissez au moins deux lettres du nom ou du sigle de votre organisme.")
            return format_html(
                "{}",
                _(
                    "Aucun organisme trouvé pour « %(search)s » : essayez une autre partie de "
                    "son nom ou son sigle, ou choisissez « Mon organisme n’est pas dans la "
                    "liste »."
                )
                % {"search": self.search},
            )
        if self.more_results:
            message = _(
                "Les %(count)d premiers organismes trouvés pour « %(search)s » : précisez "
                "votre recherche pour voir les autres."
            )
        else:
            message = ngettext(
                "%(count)d organisme trouvé pour « %(search)s ».",
                "%(count)d organismes trouvés pour « %(search)s ».",
                len(self.results),
            )
        return format_html("{}", message % {"count": len(self.results), "search": self.search})

    def clean_public_body_unlisted(self):
        return clean_line(self.cleaned_data["public_body_unlisted"], max_length=300)

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("public_body")
        if choice == UNLISTED:
            cleaned["public_body"] = None  # never the model's value, even with errors
        if "public_body" in self.errors or "public_body_unlisted" in self.errors:
            return cleaned
        unlisted = cleaned.get("public_body_unlisted", "")
        if choice == UNLISTED:
            if not unlisted:
                self.add_error(
                    "public_body_unlisted", _("Indiquez le nom de votre organisme public.")
                )
        elif choice is not None:
            if unlisted and unlisted != self.instance.public_body_unlisted:
                self.add_error(
                    "public_body_unlisted",
                    _(
                        "Vous avez choisi un organisme de la liste : videz ce champ, ou "
                        "choisissez « Mon organisme n’est pas dans la liste »."
                    ),
                )
            cleaned["public_body_unlisted"] = ""
        elif unlisted:
            cleaned["public_body"] = None
        else:  # nothing chosen: as it was
            cleaned["public_body"] = self.instance.public_body
            cleaned["public_body_unlisted"] = self.instance.public_body_unlisted
        return cleaned


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
