from django.urls import path

from bluehats import views

app_name = "contributors"

urlpatterns = [
    path("", views.contributor_list, name="index"),
    path("mon-profil/", views.OwnProfileView.as_view(), name="own"),
    path("<slug:slug>/", views.contributor_detail, name="detail"),
]
