"""/donnees/: the open-data page, the data dictionary and the dump downloads."""

from django.urls import path

from catalog import data_views

app_name = "data"

urlpatterns = [
    path("", data_views.data_page, name="index"),
    path("dictionnaire/", data_views.data_dictionary, name="dictionary"),
    path("<str:name>", data_views.download, name="download"),
]
