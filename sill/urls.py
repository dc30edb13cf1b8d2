from django.urls import path

from sill import views

app_name = "sill"

urlpatterns = [
    path("", views.software_list, name="index"),
    path("<slug:slug>/", views.software_detail, name="detail"),
]
