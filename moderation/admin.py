"""Moderation in the admin: publish, reject with a reason (mailed to the author), hide.

Editors decide through changelist actions on each moderated model, and find everything that
waits in one queue page (/admin/moderation/), linked from the admin index.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from moderation import services
from moderation.models import MODERATE_PERMISSION, ModerationStatus
from moderation.registry import moderated_models

QUEUE_LIMIT = 50


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus (envoyé à l’auteur)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )


class ModerationAdminMixin:
    """For the ModelAdmin of a ``Moderated`` model: its actions, filter and read-only state.

    The state changes only through the actions, so every decision records who and when.
    """

    moderation_fields = ("moderation_status", "moderated_by", "moderated_at", "moderation_reason")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE_PERMISSION)

    def get_list_filter(self, request):
        return ("moderation_status", *super().get_list_filter(request))

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.moderation_fields)

    def get_actions(self, request):
        actions = super().get_actions(request)
        for action in (publish_selected, reject_selected, hide_selected):
            if self.has_moderate_permission(request):
                actions[action.__name__] = self.get_action(action)
        return actions


def with_labels(queryset):
    """With what the rows' names, authors and public bodies read (a declaration is named by
    its software)."""
    related = [queryset.model.AUTHOR_FIELD]
    fields = {field.name for field in queryset.model._meta.fields}
    related.extend(name for name in ("software", "public_body") if name in fields)
    return queryset.select_related(*related)


def _decide_each(modeladmin, request, queryset, *, allowed, decide, log):
    done = skipped = 0
    for obj in with_labels(queryset):
        if obj.moderation_status not in allowed:
            skipped += 1
            continue
        # One decision and its log entry together, whatever happens to the next row.
        with transaction.atomic():
            decide(obj)
            modeladmin.log_change(request, obj, log)
        done += 1
    return done, skipped


def _report(modeladmin, request, done, skipped, message):
    modeladmin.message_user(request, message % {"count": done}, messages.SUCCESS)
    if skipped:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d élément ignoré : son état ne permet pas cette décision.",
                "%(count)d éléments ignorés : leur état ne permet pas cette décision.",
                skipped,
            )
            % {"count": skipped},
            messages.WARNING,
        )


@admin.action(description=_("Publier"))
def publish_selected(modeladmin, request, queryset):
    _require(request)
    done, skipped = _decide_each(
        modeladmin,
        request,
        queryset,
        allowed={ModerationStatus.PENDING, ModerationStatus.HIDDEN, ModerationStatus.REJECTED},
        decide=lambda obj: services.publish(obj, by=request.user),
        log="Publié",
    )
    _report(modeladmin, request, done, skipped, _("Publié(s) : %(count)d."))


@admin.action(description=_("Refuser (avec un motif envoyé à l’auteur)"))
def reject_selected(modeladmin, request, queryset):
    _require(request)
    form = RejectForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        done, skipped = _decide_each(
            modeladmin,
            request,
            queryset,
            allowed={ModerationStatus.PENDING},
            decide=lambda obj: services.reject(obj, by=request.user, reason=reason),
            log=f"Refusé : {reason}",
        )
        _report(modeladmin, request, done, skipped, _("Refusé(s) : %(count)d."))
        return None
    return action_form_page(
        modeladmin,
        request,
        with_labels(queryset),
        form,
        action="reject_selected",
        title=_("Refuser"),
        intro=_("Déclarations à refuser :"),
        submit=_("Refuser et prévenir l’auteur"),
    )


@admin.action(description=_("Masquer des pages publiques"))
def hide_selected(modeladmin, request, queryset):
    _require(request)
    done, skipped = _decide_each(
        modeladmin,
        request,
        queryset,
        allowed={ModerationStatus.PUBLISHED},
        decide=lambda obj: services.hide(obj, by=request.user),
        log="Masqué",
    )
    _report(modeladmin, request, done, skipped, _("Masqué(s) : %(count)d."))


def _require(request):
    if not request.user.has_perm(MODERATE_PERMISSION):
        raise PermissionDenied


def action_form_page(modeladmin, request, queryset, form, *, action, title, intro, submit):
    """The intermediate page of an admin action that asks for a form before it runs."""
    return TemplateResponse(
        request,
        "admin/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "form": form,
            "queryset": queryset,
            "action": action,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "title": title,
            "intro": intro,
            "submit": submit,
        },
    )


def pending_groups(limit=QUEUE_LIMIT):
    """Per moderated model: its label, pending count, oldest pending rows and changelist link."""
    groups = []
    for model in moderated_models():
        pending = model.objects.pending()
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        rows = list(with_labels(pending).order_by("pk")[:limit])
        groups.append(
            {
                "label": opts.verbose_name_plural,
                "count": pending.count() if len(rows) == limit else len(rows),
                "rows": [
                    {
                        "object": row,
                        "author": row.author,
                        # On whose behalf: the body, or the name the agent typed when theirs
                        # is not in the list (for the editor to attach the right one).
                        "public_body": getattr(row, "public_body", None),
                        "public_body_unlisted": getattr(row, "public_body_unlisted", ""),
                        "url": reverse(
                            f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]
                        ),
                    }
                    for row in rows
                ],
                "changelist": f"{changelist}?moderation_status__exact={ModerationStatus.PENDING}",
            }
        )
    return groups


def pending_total():
    return sum(model.objects.pending().count() for model in moderated_models())


def moderation_queue(request):
    """Everything waiting for an editor, oldest first per kind."""
    if not request.user.has_perm(MODERATE_PERMISSION):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "admin/moderation/queue.html",
        {
            **admin.site.each_context(request),
            "title": _("File de modération"),
            "groups": pending_groups(),
        },
    )
