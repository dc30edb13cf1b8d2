"""The inventory of code public bodies have not published yet (for public agents)."""

from django.urls import path

from contributions import views

app_name = "unpublished"

urlpatterns = [
    path("", views.UnpublishedCodeListView.as_view(), name="index"),
    path("declarer/", views.UnpublishedCodeView.as_view(), name="declare"),
    path("<int:pk>/modifier/", views.UnpublishedCodeView.as_view(), name="edit"),
    path("<int:pk>/supprimer/", views.UnpublishedCodeDeleteView.as_view(), name="delete"),
]
