from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Codes sources")
    demo_loader = "catalog.demo.load"
    # Its data sets in the full dumps of /donnees/ (catalog.exports.Dump).
    open_data = "catalog.open_data.DUMPS"

    def ready(self):
        from catalog import tasks
        from core.signals import catalogue_changed

        # A harvest run ending: the broad listings' summaries of the new catalogue are
        # computed by a worker before visitors ask (catalog.services.listing_warmup).
        catalogue_changed.connect(tasks.schedule_listing_warmup, dispatch_uid="listing-warmup")
        # And the one document of every repository for publiccode.yml crawlers.
        catalogue_changed.connect(tasks.schedule_crawler_catalog, dispatch_uid="crawler-catalogue")
        # And the packages' counts of /dependances/ (catalog.services.package_usage).
        catalogue_changed.connect(tasks.schedule_package_usage, dispatch_uid="package-usage")
