from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog import swh
from catalog.services import archive


class Command(BaseCommand):
    help = (
        "Check with Software Heritage which repositories it has archived: the due ones "
        "(never checked, checked over a week ago, or pushed since the archive's last visit), "
        "or one repository. Stops cleanly when the archive's rate budget is spent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=settings.SWH_CHECK_LIMIT,
            help="check at most this many due repositories (default SWH_CHECK_LIMIT)",
        )
        parser.add_argument("--repository", metavar="URL", help="only the repository at URL")

    def handle(self, *args, limit, repository=None, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        with swh.client_from_settings() as client:
            if repository:
                found = archive.find_repository(repository)
                if found is None:
                    raise CommandError(f"no visible repository at {repository!r}")
                report = archive.check_repositories([found], client=client)
            else:
                report = archive.check_due(
                    client=client, limit=limit, workers=settings.SWH_CHECK_WORKERS
                )
        for error in report.errors[:20]:
            self.stderr.write(f"  {error}")
        self.stdout.write(f"Software Heritage: {report.summary()}")
        if repository and report.checked:
            found.refresh_from_db(fields=["archive_state", "archive_origin"])
            self.stdout.write(f"{found.web_url}: {found.archive_state} {found.archive_origin}")
