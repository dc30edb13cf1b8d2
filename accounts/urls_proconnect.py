"""ProConnect's return addresses, outside the language prefixes: the callback and the
post-logout URLs are registered with ProConnect and must not change with the language.
(The login starts at accounts:proconnect, in the interface language.)"""

from django.urls import path

from accounts import oidc

app_name = "proconnect"

urlpatterns = [
    path("retour/", oidc.ProConnectCallbackView.as_view(), name="callback"),
    path("deconnexion/", oidc.logged_out, name="logged_out"),
]
