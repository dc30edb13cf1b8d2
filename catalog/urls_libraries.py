from django.urls import path

from catalog import views

app_name = "libraries"

urlpatterns = [
    path("", views.library_list, name="index"),
]
