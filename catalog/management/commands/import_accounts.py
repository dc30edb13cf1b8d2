from django.core.management.base import BaseCommand, CommandError

from catalog.services.accounts_import import (
    DEFAULT_SOURCE,
    AccountsFileError,
    import_accounts,
    read_source,
)


class Command(BaseCommand):
    help = (
        "Import forges and owners from a comptes-organismes-publics.yml file or URL "
        "(default: the copy shipped in catalog/data). Invalid entries are reported and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", default=str(DEFAULT_SOURCE))

    def handle(self, *args, source, **options):
        try:
            report = import_accounts(text=read_source(source))
        except AccountsFileError as exc:
            raise CommandError(f"{source}: {exc}") from None
        for line in report.invalid:
            self.stderr.write(f"invalid: {line}")
        if options["verbosity"] > 1:
            for label in report.added:
                self.stdout.write(f"added: {label}")
            for label in report.updated:
                self.stdout.write(f"updated: {label}")
            for label in report.unlisted:
                self.stdout.write(f"no longer listed: {label}")
        self.stdout.write(self.style.SUCCESS(report.summary()))
