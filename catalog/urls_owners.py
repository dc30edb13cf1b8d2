from django.urls import path

from catalog import views

app_name = "owners"

urlpatterns = [
    path("", views.owner_list, name="index"),
    path("<str:host>/<path:path>/", views.owner_detail, name="detail"),
]
