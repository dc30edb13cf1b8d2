import sys

from django.core.management.base import BaseCommand, CommandError

from catalog.models import Forge
from catalog.services import harvest


class Command(BaseCommand):
    help = (
        "Harvest the forges synchronously: every listed owner and every forge harvested "
        "whole, or only those named. Ends with a summary table."
    )

    def add_arguments(self, parser):
        parser.add_argument("--forge", help="only this forge host (e.g. gitlab.inria.fr)")
        parser.add_argument("--owner", help="only this owner path (with --forge if ambiguous)")
        parser.add_argument(
            "--full", action="store_true", help="ignore conditional-request state (ETags)"
        )

    def handle(self, *args, forge=None, owner=None, full=False, **options):
        owners, forges = harvest.targets()
        if forge:
            if not Forge.objects.filter(host=forge).exists():
                raise CommandError(f"unknown forge {forge!r}: import the accounts list first")
            owners, forges = owners.filter(forge__host=forge), forges.filter(host=forge)
        if owner:
            owners, forges = owners.filter(path__iexact=owner), forges.none()
            if not owners.exists():
                raise CommandError(f"no harvestable owner {owner!r}")
        targets = [("owner", o.pk, str(o)) for o in owners.order_by("forge__host", "path")]
        targets += [("forge", f.pk, f.host) for f in forges.order_by("host")]
        if not targets:
            raise CommandError("nothing to harvest")

        interactive = sys.stdout.isatty()
        runs = []
        for index, (kind, pk, label) in enumerate(targets, start=1):
            self.stdout.write(
                f"[{index}/{len(targets)}] {label} …", ending="" if interactive else "\n"
            )
            if kind == "owner":
                run = harvest.harvest_owner(owner_id=pk, full=full)
            else:
                run = harvest.harvest_forge(forge_id=pk, full=full)
            runs.append((label, run))
            outcome = f" {run.status}: {run.seen} seen, {run.created} new, {run.gone} gone"
            self.stdout.write(outcome if interactive else f"  {outcome.strip()}")
        self._summary(runs)

    def _summary(self, runs):
        columns = [
            "target",
            "status",
            "seen",
            "new",
            "updated",
            "gone",
            "requests",
            "304",
            "errors",
        ]
        rows = [
            [
                label,
                run.status,
                run.seen,
                run.created,
                run.updated,
                run.gone,
                run.requests,
                run.not_modified,
                len(run.errors),
            ]
            for label, run in runs
        ]
        totals = ["TOTAL", f"{sum(r.status == 'ok' for _, r in runs)}/{len(runs)} ok"]
        totals += [sum(row[i] for row in rows) for i in range(2, len(columns))]
        rows.append(totals)
        widths = [max(len(str(x)) for x in col) for col in zip(columns, *rows, strict=False)]
        self.stdout.write("")
        for row in [columns, *rows]:
            cells = [
                str(c).ljust(w) if i < 2 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells))
        failed = [(label, run) for label, run in runs if run.status != "ok"]
        for label, run in failed:
            self.stderr.write(f"{label}: {run.status}: {'; '.join(run.errors[:2])}")
