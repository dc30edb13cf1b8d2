"""Form pieces shared by the forms where agents declare something: web addresses and the
submission token that makes a form posted twice create one row."""

import uuid
from pathlib import Path

import dsfr.forms
from django import forms
from django.conf import settings
from django.utils.functional import cached_property
from dsfr.forms import DsfrDjangoTemplates

from core.validators import WEB_URL

URL_MAX_LENGTH = 500  # the models' URL columns


class WebURLField(forms.URLField):
    """An address on the web: http or https only (no javascript:, ftp:, data:…)."""

    default_validators = [WEB_URL]


def web_url_field(label, *, required, help_text="", error_messages=None):
    return WebURLField(
        label=label,
        required=required,
        max_length=URL_MAX_LENGTH,
        assume_scheme="https",
        help_text=help_text,
        error_messages=error_messages,
        widget=forms.URLInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )


class SubmissionTokenMixin(forms.Form):
    """A hidden token, fresh on every blank form: the same form posted twice creates one row
    (see ``moderation.services.create_once``)."""

    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        # Without dashes: a page never shows what reads as an identifier (issue #15).
        kwargs.setdefault("initial", {}).setdefault("submission_token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class FormRenderer(DsfrDjangoTemplates):
    """django-dsfr's form templates, after the project's templates/ folder, so that a form
    may render a field with one of our components (FORM_RENDERER)."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    *settings.TEMPLATES[0]["DIRS"],
                    Path(dsfr.forms.__file__).resolve().parent / self.backend.app_dirname,
                    Path(forms.__path__[0]).resolve() / "templates",
                ],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
