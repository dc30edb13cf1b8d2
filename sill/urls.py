from django.urls import path
from django.views.generic import TemplateView

app_name = "sill"

urlpatterns = [
    path("", TemplateView.as_view(template_name="sill/index.html"), name="index"),
]
