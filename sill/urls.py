from django.urls import path

from sill import views
from sill.feeds import SoftwareFeed

app_name = "sill"

urlpatterns = [
    path("", views.software_list, name="index"),
    path("sill.json", views.catalogi_export, name="catalogi_export"),
    path("flux.atom", SoftwareFeed(), name="feed"),
    path("<slug:slug>/", views.software_detail, name="detail"),
]
