from django.urls import path

from accounts import login as login_views
from accounts import views
from accounts.oidc import ProConnectAuthenticateView

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("modifier/", views.profile_edit, name="profile_edit"),
    path("supprimer/", views.delete, name="delete"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("connexion/", login_views.LoginView.as_view(), name="login"),
    path("deconnexion/", login_views.LogoutView.as_view(), name="logout"),
    # In the interface language; ProConnect's callback is outside i18n (accounts.urls_proconnect).
    path("proconnect/", ProConnectAuthenticateView.as_view(), name="proconnect"),
]
