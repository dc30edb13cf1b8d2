"""`python manage.py seed_bench`: synthetic repositories for benchmarks (scripts/bench_data.py)."""

from django.core.management.base import BaseCommand, CommandError

from scripts import bench_data


class Command(BaseCommand):
    help = (
        "Fill the database with synthetic repositories whose distributions follow the 2021 "
        "catalogue dump, for benchmarks, then vacuum the tables. Rows are marked remote_id "
        "'bench:<n>'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repos", type=int, default=100_000, help="repositories to create")
        parser.add_argument(
            "--owners",
            type=int,
            help=f"owners to create (default: repos / {bench_data.REPOS_PER_OWNER})",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--clear", action="store_true", help="delete the previous bench rows first"
        )

    def handle(self, *args, repos, owners=None, seed=1, clear=False, **options):
        try:
            summary = bench_data.seed(
                repos=repos, owners=owners, seed=seed, clear=clear, say=self.say
            )
        except bench_data.BenchDataError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(summary))

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
