from django.core.management.base import BaseCommand, CommandError

from catalog.services.directory_import import DirectoryError, import_directory, opened


class Command(BaseCommand):
    help = (
        "Name the public bodies and set their acronyms, parents and ministries from the "
        "State's directory (DILA's dila_refOrga_admin_Etat_fr JSON, or a zip of it), a path "
        "or an http(s) URL. Entries that make no sense are reported and skipped; a file "
        "that cannot be read changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="path or http(s) URL of the directory")

    def handle(self, *args, source, **options):
        try:
            with opened(source) as path:
                report = import_directory(path)
        except DirectoryError as exc:
            raise CommandError(f"{source}: {exc}") from None
        for line in report.details():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(report.summary()))
