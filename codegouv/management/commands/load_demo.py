"""Load every app's demo data, idempotently, so the quick start shows a populated portal."""

from django.apps import apps
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from catalog.exports import dumps_directory, export_dumps
from catalog.services.listing_warmup import warm_listing_summaries


class Command(BaseCommand):
    help = (
        "Load the demo data of every app that registers some (AppConfig.demo_loader: the "
        "dotted path of a callable taking a keyword-only `stdout`), then write the open-data "
        "dumps of /donnees/ from it, and, with Redis, caches the broad listings' summaries. "
        "Safe to run again."
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
        # What the daily task would write (catalog.export_dumps): /donnees/ lists every file
        # right after the quick start instead of "not generated yet".
        metadata = export_dumps(directory=dumps_directory())
        counts = ", ".join(f"{count} {key}" for key, count in metadata["counts"].items())
        self.stdout.write(self.style.SUCCESS(f"open-data dumps written: {counts}."))
        # What a worker does after a harvest (catalog.warm_listings), when the cache outlives
        # this command: the quick start's /depots/ pages are then warm. A cache in this
        # process's memory (no Redis) would be thrown away with it.
        if isinstance(caches["default"], LocMemCache):
            self.stdout.write("listing summaries not precomputed: no shared cache (Redis).")
        else:
            self.stdout.write(self.style.SUCCESS(f"{warm_listing_summaries().summary()}."))
