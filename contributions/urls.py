from django.urls import path
from django.views.generic import TemplateView

app_name = "contributions"

urlpatterns = [
    path("", TemplateView.as_view(template_name="contributions/index.html"), name="index"),
]
