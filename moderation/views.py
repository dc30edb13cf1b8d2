"""The one set of views where an agent creates, edits or withdraws something they declare
(SILL declarations, instances and proposals, contributions, unpublished code).

Who may declare is decided by the app, which mixes in ``accounts.mixins``'s requirement:
moderation sits below accounts. Each app names its form, template, service and messages;
the flow — the form posted twice creates one row, another agent's row is a 404, a forged
token gets a fresh form, the messages depend on the moderation status — is written once.
"""

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views import View

from moderation.services import withdraw

EXPIRED_FORM = _("Ce formulaire a expiré : vérifiez-le et envoyez-le à nouveau.")


class DeclaredRowMixin:
    """The row of ``model`` named by the URL's ``pk``, among those the user may edit: their
    own, or every row for a moderator. Filtering, never fetching then checking, makes another
    agent's row a plain 404."""

    model = None

    def editable_rows(self):
        return self.model.objects.editable_by(self.request.user)

    def get_object(self):
        return get_object_or_404(self.editable_rows(), pk=self.kwargs["pk"])


class DeclarationFormView(DeclaredRowMixin, View):
    """Create a row (no ``pk`` in the URL) or edit one.

    A subclass sets ``form_class`` and ``template_name`` and implements ``create(form)``
    → ``(row, created)`` (or a response to send instead) and ``update(form)`` → row, both
    calling the app's services; ``success_url(row)`` says where to go next.
    """

    form_class = None
    template_name = ""
    # Shown after a creation: {"published", "pending", "already"}; after an edit: "updated".
    # Each may name the row's fields, e.g. "%(name)s" (see message_values).
    success_messages: dict = {}

    def get_object(self):
        return super().get_object() if "pk" in self.kwargs else None

    def may_declare(self) -> bool:
        """False shows the page without a form (e.g. the agent has no public body yet)."""
        return True

    def get_form_kwargs(self) -> dict:
        return {}

    def get_form(self, data=None):
        return self.form_class(data, **self.get_form_kwargs())

    def get_context_data(self, **context) -> dict:
        return {"object": self.object, "creating": self.object is None, **context}

    def render_form(self, form):
        return TemplateResponse(self.request, self.template_name, self.get_context_data(form=form))

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_form(self.get_form() if self.may_declare() else None)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.may_declare():
            return self.render_form(None)
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        if self.object is not None:
            row = self.update(form)
            self.say(row, "updated")
            return redirect(self.success_url(row))
        try:
            result = self.create(form)
        except PermissionError:
            # A token another agent's form already used: never their row; a fresh form.
            return self.render_form(self.expired(form))
        if isinstance(result, HttpResponse):
            return result
        row, created = result
        if not created:
            self.say(row, "already")
        else:
            self.say(row, "published" if row.is_published else "pending")
        return redirect(self.success_url(row))

    def expired(self, form):
        data = form.data.copy()
        data["submission_token"] = uuid.uuid4().hex
        fresh = self.get_form(data)
        fresh.is_valid()
        fresh.add_error(None, EXPIRED_FORM)
        return fresh

    def message_values(self, row) -> dict:
        return {}

    def say(self, row, key):
        text = self.success_messages.get(key)
        if text:
            level = messages.INFO if key == "already" else messages.SUCCESS
            messages.add_message(self.request, level, text % self.message_values(row))

    @staticmethod
    def submitted(form) -> tuple:
        """(submission token, the other cleaned values) of a creation form."""
        values = dict(form.cleaned_data)
        return values.pop("submission_token", None), values

    def create(self, form):
        raise NotImplementedError

    def update(self, form):
        raise NotImplementedError

    def success_url(self, row) -> str:
        raise NotImplementedError


class DeclarationDeleteView(DeclaredRowMixin, View):
    """GET: the shared confirmation page; POST: withdraw the row, then a message."""

    template_name = "confirm_delete.html"
    title = ""
    deleted_message = ""

    def describe(self, row) -> str:
        return str(row)

    def message_values(self, row) -> dict:
        return {}

    def cancel_url(self, row) -> str:
        return self.success_url(row)

    def success_url(self, row) -> str:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        row = self.get_object()
        return TemplateResponse(
            request,
            self.template_name,
            {
                "object": row,
                "page_title": self.title,
                "description": self.describe(row),
                "cancel_url": self.cancel_url(row),
            },
        )

    def post(self, request, *args, **kwargs):
        row = self.get_object()
        url = self.success_url(row)
        text = self.deleted_message % self.message_values(row)
        withdraw(row=row)
        messages.success(request, text)
        return redirect(url)
