from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.enums import Ecosystem
from catalog.services import libraries


class Command(BaseCommand):
    help = (
        "Ask the package registries where the packages the repositories publish come from "
        "(the due ones: never checked or checked about a week ago). A registry whose base "
        "URL is not set is skipped; one that throttles or fails stops for this run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=settings.REGISTRY_CHECK_LIMIT,
            help="look up at most this many due packages (default REGISTRY_CHECK_LIMIT)",
        )
        parser.add_argument(
            "--ecosystem", choices=Ecosystem.values, help="only the packages of this ecosystem"
        )

    def handle(self, *args, limit, ecosystem=None, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        report = libraries.check_registries(limit=limit, ecosystem=ecosystem)
        for error in report.errors[:20]:
            self.stderr.write(f"  {error}")
        self.stdout.write(f"Registries: {report.summary()}")
