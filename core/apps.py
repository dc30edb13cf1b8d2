from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from core.db import register_timestamptz_loader

        connection_created.connect(register_timestamptz_loader)
