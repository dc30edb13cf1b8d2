"""The agent's own space: their profile, everything they declared, account deletion."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.activity import activity_of
from accounts.forms import SEARCH_BUTTON, DeleteAccountForm, PasswordChangeForm, ProfileForm
from accounts.policy import is_public_agent


@login_required
def profile(request):
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "page_title": _("Mon compte"),
            "profile_user": user,
            "is_agent": is_public_agent(user),
            "activity": activity_of(user),
            "can_change_password": can_change_password(user),
        },
    )


def can_change_password(user) -> bool:
    """Only with the local login on, and for accounts that have a password (not ProConnect's)."""
    return settings.LOCAL_LOGIN_ENABLED and user.has_usable_password()


class PasswordChangeView(auth_views.PasswordChangeView):
    """/compte/mot-de-passe/: Django's password validators apply."""

    template_name = "accounts/password_change.html"
    extra_context = {"page_title": gettext_lazy("Changer mon mot de passe")}
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_change_password(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        messages.success(self.request, _("Votre mot de passe est modifié."))
        return super().form_valid(form)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST" and SEARCH_BUTTON in request.POST:
        # "Rechercher": the bodies found, with everything typed so far; nothing is saved.
        form = ProfileForm.searching(request.POST, instance=request.user)
    else:
        form = ProfileForm(request.POST or None, instance=request.user)
        if form.is_bound and form.is_valid():
            form.save()
            messages.success(request, _("Votre profil est enregistré."))
            return redirect(next_url or "accounts:profile")
    return render(
        request,
        "accounts/profile_edit.html",
        {
            "page_title": _("Modifier mon profil"),
            "form": form,
            "next": next_url,
            "search_button": SEARCH_BUTTON,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.delete_account(user=request.user)
        logout(request)
        messages.success(
            request,
            _(
                "Votre compte est supprimé. Vos déclarations restent, au nom de votre "
                "organisme public seulement."
            ),
        )
        return redirect("home")
    return render(
        request, "accounts/delete.html", {"page_title": _("Supprimer mon compte"), "form": form}
    )
