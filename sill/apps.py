from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SillConfig(AppConfig):
    name = "sill"
    verbose_name = _("SILL")
    demo_loader = "sill.importer.load_demo"
    # Its data sets in the full dumps of /donnees/ (catalog.exports.Dump).
    open_data = "sill.exports.DUMPS"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from core.signals import catalogue_changed
        from sill.models import Declaration, ExternalValue, Instance, Software
        from sill.versioning import sill_changed

        # Every row the Catalogi-format document shows makes the cached one stale (bulk
        # writes call sill_changed themselves, a SILL import sends
        # catalogue_changed).
        for model in (Software, Declaration, Instance, ExternalValue):
            for signal in (post_save, post_delete):
                signal.connect(
                    sill_changed,
                    sender=model,
                    dispatch_uid=f"sill-catalogi-{signal is post_save}-{model._meta.label}",
                )
        m2m_changed.connect(
            sill_changed, sender=Software.similar.through, dispatch_uid="sill-similar"
        )
        catalogue_changed.connect(
            sill_changed, sender=Software, dispatch_uid="sill-catalogi-import"
        )
