from django.apps import AppConfig


class CodegouvConfig(AppConfig):
    """The project package is an app too, for its shared templatetags, tasks and commands."""

    name = "codegouv"
    verbose_name = "codegouv"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from codegouv import home, tasks
        from core.signals import catalogue_changed

        # The home counters follow the SILL and the contributions at once.
        for model in home.COUNTED_MODELS:
            for signal in (post_save, post_delete):
                signal.connect(
                    home.counted_row_changed,
                    sender=model,
                    dispatch_uid=f"home-counters-{signal is post_save}-{model._meta.label}",
                )
        # A harvest run or a SILL import ending asks for fresh /statistiques/ figures.
        catalogue_changed.connect(
            tasks.schedule_statistics_refresh, dispatch_uid="statistics-refresh"
        )
