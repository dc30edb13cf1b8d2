from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SillConfig(AppConfig):
    name = "sill"
    verbose_name = _("SILL")
    demo_loader = "sill.importer.load_demo"
    # Its data sets in the full dumps of /donnees/ (catalog.exports.Dump).
    open_data = "sill.exports.DUMPS"
