"""Load every app's demo data, idempotently, so the quick start shows a populated portal."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = (
        "Load the demo data of every app that registers some (AppConfig.demo_loader: the "
        "dotted path of a callable taking a keyword-only `stdout`). Safe to run again."
    )

    def handle(self, *args, **options):
        loaders = [
            (config.label, import_string(config.demo_loader))
            for config in apps.get_app_configs()
            if getattr(config, "demo_loader", None)
        ]
        if not loaders:
            self.stdout.write("No app registers demo data yet: nothing to load.")
            return
        for label, loader in loaders:
            # One transaction per app: a failing loader leaves no half-loaded app behind.
            with transaction.atomic():
                loader(stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS(f"{label}: demo data loaded."))
