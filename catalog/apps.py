from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Codes sources")
    demo_loader = "catalog.demo.load"
    # Its data sets in the full dumps of /donnees/ (catalog.exports.Dump).
    open_data = "catalog.exports.CATALOG_DUMPS"
