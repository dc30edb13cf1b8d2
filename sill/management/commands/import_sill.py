from django.core.management.base import BaseCommand, CommandError

from sill.importer import DEFAULT_SOURCE, SillFileError, import_sill, read_source


class Command(BaseCommand):
    help = "Import the SILL from a sill.json file or URL (default: the 2022 copy shipped)."

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", default=str(DEFAULT_SOURCE))

    def handle(self, *args, source, **options):
        try:
            report = import_sill(text=read_source(source))
        except SillFileError as exc:
            raise CommandError(f"{source}: {exc}") from None
        for line in report.invalid:
            self.stderr.write(f"invalid: {line}")
        self.stdout.write(self.style.SUCCESS(report.summary()))
