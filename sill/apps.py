from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SillConfig(AppConfig):
    name = "sill"
    verbose_name = _("SILL")
    demo_loader = "sill.importer.load_demo"
