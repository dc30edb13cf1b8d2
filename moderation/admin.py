"""Moderation in the admin: publish, reject with a reason (mailed to the author), hide.

Editors find everything that waits in one queue page (/admin/moderation/), linked from the
admin index, and publish or refuse each item there or on its own admin page in one step (a
POST to ``<pk>/publier/`` or ``<pk>/refuser/``); changelist actions decide many at once.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from moderation import services
from moderation.models import MODERATE_PERMISSION, ModerationStatus
from moderation.registry import moderated_models

QUEUE_LIMIT = 50
# The statuses each decision applies to.
PUBLISHABLE = {ModerationStatus.PENDING, ModerationStatus.HIDDEN, ModerationStatus.REJECTED}
REJECTABLE = {ModerationStatus.PENDING}
HIDEABLE = {ModerationStatus.PUBLISHED}

# The admin is titled after the site; "Voir le site" leads back to the portal.
admin.site.site_header = settings.SITE_NAME
admin.site.site_title = format_lazy(_("Administration de {site}"), site=settings.SITE_NAME)
admin.site.index_title = _("Tableau de bord")
admin.site.site_url = "/"


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus (envoyé à l’auteur)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": _("Indiquez le motif du refus : il est envoyé à l’auteur.")},
    )


class ModerationAdminMixin:
    """For the ModelAdmin of a ``Moderated`` model: its actions, filter and read-only state.

    The state changes only through the actions, so every decision records who and when.
    """

    moderation_fields = ("moderation_status", "moderated_by", "moderated_at", "moderation_reason")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # The change form with the moderation panel (Publier, Refuser) above the fields.
    change_form_template = "admin/moderation/change_form.html"

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE_PERMISSION)

    def may_decide(self, request, obj=None):
        """Moderators who may also change this kind of row publish or refuse it."""
        return self.has_moderate_permission(request) and self.has_change_permission(request, obj)

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/publier/", view(self.publish_view), name=f"{name}_publish"),
            path("<path:object_id>/refuser/", view(self.reject_view), name=f"{name}_reject"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and self.may_decide(request, obj):
            context["decision"] = decision_of(obj, key="object")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _decidable(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.may_decide(request, obj):
            raise PermissionDenied
        return obj

    @method_decorator(require_POST)
    def publish_view(self, request, object_id):
        return _publish(self, request, object_id)

    @method_decorator(require_POST)
    def reject_view(self, request, object_id):
        return _reject(self, request, object_id)

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


def publishing(request):
    """What publishing means, for one row or many: the statuses it applies to, the service
    call and the admin log line."""
    return {
        "allowed": PUBLISHABLE,
        "decide": lambda obj: services.publish(obj, by=request.user),
        "log": "Publié",
    }


def rejecting(request, reason):
    return {
        "allowed": REJECTABLE,
        "decide": lambda obj: services.reject(obj, by=request.user, reason=reason),
        "log": f"Refusé : {reason}",
    }


def hiding(request):
    return {
        "allowed": HIDEABLE,
        "decide": lambda obj: services.hide(obj, by=request.user),
        "log": "Masqué",
    }


def _decide_each(modeladmin, request, queryset, *, allowed, decide, log):
    done = skipped = 0
    for obj in with_labels(queryset):
        if _decide_one(modeladmin, request, obj, allowed=allowed, decide=decide, log=log):
            done += 1
        else:
            skipped += 1
    return done, skipped


def _decide_one(modeladmin, request, obj, *, allowed, decide, log):
    """Decide on ``obj`` if its status allows it; False (and nothing done) otherwise."""
    if obj.moderation_status not in allowed:
        return False
    # One decision and its log entry together, whatever happens to the next row.
    with transaction.atomic():
        decide(obj)
        modeladmin.log_change(request, obj, log)
    return True


def decision_of(obj, *, key):
    """What the one-step decision forms need for ``obj``: their addresses and which apply.

    ``key`` tells the forms of one page apart (their fields' ids)."""
    opts = obj._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    return {
        "key": key,
        "status": obj.get_moderation_status_display(),
        "publish_url": reverse(f"{name}_publish", args=[obj.pk]),
        "reject_url": reverse(f"{name}_reject", args=[obj.pk]),
        "can_publish": obj.moderation_status in PUBLISHABLE,
        "can_reject": obj.moderation_status in REJECTABLE,
    }


def _publish(modeladmin, request, object_id):
    obj = modeladmin._decidable(request, object_id)
    done = _decide_one(modeladmin, request, obj, **publishing(request))
    _report_one(modeladmin, request, obj, done, gettext("« %(object)s » est publié."))
    return _back(request, obj)


def _reject(modeladmin, request, object_id):
    obj = modeladmin._decidable(request, object_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        # The reason is missing: the same decision again, with the error under the field.
        return TemplateResponse(
            request,
            "admin/moderation/reject.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": gettext("Refuser « %(object)s »") % {"object": obj},
                "opts": obj._meta,
                "original": obj,
                "form": form,
                "decision": decision_of(obj, key="retry"),
                "next": _next_url(request, obj),
            },
        )
    reason = form.cleaned_data["reason"]
    done = _decide_one(modeladmin, request, obj, **rejecting(request, reason))
    _report_one(
        modeladmin, request, obj, done, gettext("« %(object)s » est refusé ; l’auteur est prévenu.")
    )
    return _back(request, obj)


def _report_one(modeladmin, request, obj, done, message):
    if done:
        modeladmin.message_user(request, message % {"object": obj}, messages.SUCCESS)
    else:
        modeladmin.message_user(
            request,
            gettext("« %(object)s » est %(status)s : son état ne permet pas cette décision.")
            % {"object": obj, "status": obj.get_moderation_status_display()},
            messages.WARNING,
        )


def _next_url(request, obj):
    """Where the decision came from (the queue or the object's page), if it is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _back(request, obj):
    return HttpResponseRedirect(_next_url(request, obj))


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
    done, skipped = _decide_each(modeladmin, request, queryset, **publishing(request))
    _report(modeladmin, request, done, skipped, _("Publié(s) : %(count)d."))


@admin.action(description=_("Refuser (avec un motif envoyé à l’auteur)"))
def reject_selected(modeladmin, request, queryset):
    _require(request)
    form = RejectForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        done, skipped = _decide_each(modeladmin, request, queryset, **rejecting(request, reason))
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
    done, skipped = _decide_each(modeladmin, request, queryset, **hiding(request))
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


def pending_groups(request, limit=QUEUE_LIMIT):
    """Per moderated model: its label, pending count, oldest pending rows (with what an editor
    reads before deciding, and the decision forms when they may decide) and changelist link."""
    groups = []
    for model in moderated_models():
        pending = model.objects.pending()
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        may_decide = admin.site.is_registered(model) and admin.site.get_model_admin(
            model
        ).may_decide(request)
        rows = list(with_labels(pending).order_by("pk")[:limit])
        groups.append(
            {
                "label": opts.verbose_name_plural,
                "id": f"queue-{opts.app_label}-{opts.model_name}",
                "count": pending.count() if len(rows) == limit else len(rows),
                "rows": [
                    {
                        "object": row,
                        "author": row.author,
                        "declared_at": declared_at(row),
                        "summary": summary_of(row),
                        "preview_url": preview_url(row),
                        # On whose behalf: the body, or the name the agent typed when theirs
                        # is not in the list (for the editor to attach the right one).
                        "public_body": getattr(row, "public_body", None),
                        "public_body_unlisted": getattr(row, "public_body_unlisted", ""),
                        "url": reverse(
                            f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]
                        ),
                        "decision": (
                            decision_of(row, key=f"{opts.model_name}-{row.pk}")
                            if may_decide
                            else None
                        ),
                    }
                    for row in rows
                ],
                "changelist": f"{changelist}?moderation_status__exact={ModerationStatus.PENDING}",
            }
        )
    return groups


def declared_at(row):
    """When the row was declared: its first field set on creation."""
    for field in row._meta.concrete_fields:
        if getattr(field, "auto_now_add", False):
            return getattr(row, field.attname)
    return None


def summary_of(row):
    """What the agent wrote: the row's first non-empty text field (a use case, a description)."""
    for field in row._meta.concrete_fields:
        if isinstance(field, models.TextField) and field.name != "moderation_reason":
            value = getattr(row, field.attname)
            if value:
                return value
    return ""


def preview_url(row):
    """The portal page that shows the row (a declaration shows on its software's page)."""
    if hasattr(row, "get_absolute_url"):
        return row.get_absolute_url()
    software = getattr(row, "software", None)
    return software.get_absolute_url() if software is not None else ""


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
            "groups": pending_groups(request),
        },
    )
