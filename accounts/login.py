"""The login page (ProConnect button and, when enabled, the email + password form), logout,
and the Django admin's login page, which sends editors to the portal's."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import OIDCLogoutView

from accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Se connecter")
        context["local_login_enabled"] = settings.LOCAL_LOGIN_ENABLED
        context["proconnect_enabled"] = settings.PROCONNECT_ENABLED
        return context

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_LOGIN_ENABLED:
            messages.error(
                request,
                _("La connexion par mot de passe est désactivée sur ce site."),
            )
            return redirect(login_url(self.get_redirect_url()))
        return super().post(request, *args, **kwargs)


class LogoutView(OIDCLogoutView):
    """POST only. After a ProConnect login, continues to ProConnect's own logout
    (settings.OIDC_OP_LOGOUT_URL_METHOD); otherwise back to the home page."""


def login_url(next_url: str = "") -> str:
    url = reverse("accounts:login")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def admin_login(request):
    """/admin/login/: editors log in like agents, on the portal's login page (ProConnect, or
    the local form when enabled, rate limited), then come back to the admin."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect(login_url(next_url))
    if request.user.is_active and request.user.is_staff:
        return redirect(next_url)
    # Logged in without access: sending back to the login page would loop.
    messages.error(request, _("Votre compte n’a pas accès à l’administration."))
    return redirect("home")
