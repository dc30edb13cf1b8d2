"""Benchmark the Software Heritage check on the demo catalogue: prints figures, asserts nothing.

    make bench-archive [BENCH_ARGS="--workers 8 --latency 0.1 --limit 2000"]

Loads the 2021 catalogue (9,066 repositories) into the database `codegouv_bench_archive`,
serves a fake archive (tests/fakeswh) that holds what the 2021 check found
(`swh_exists.csv`: the GitHub ones under their web address, the others under their clone
address, one in ten of those under the web address instead, 3 % with a failed latest
visit after a good one), runs `check_due` twice and prints the requests per repository by
state, the wall time, and how long a national run of 20,000 repositories takes within the
archive's anonymous limit (700 requests a minute).
"""

import argparse
import csv
import io
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
FOUND_2021 = BASE_DIR.parent / "shared" / "data" / "codes-sources-fr-2021" / "swh_exists.csv"
ANONYMOUS_PER_MINUTE = 700
NATIONAL = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="repositories asked at once")
    parser.add_argument("--found", default=str(FOUND_2021), help="the 2021 swh_exists.csv")
    parser.add_argument(
        "--latency", type=float, default=0, help="seconds each answer takes (network)"
    )
    parser.add_argument("--limit", type=int, default=10**6, help="repositories checked")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codegouv.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ.setdefault(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/codegouv_bench_archive"
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from catalog import demo, swh
    from catalog.models import Repository
    from catalog.services import archive
    from scripts.bench_harvest import _ensure_database
    from tests.fakeswh import FakeSoftwareHeritage, visit

    _ensure_database(connection)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo.load(stdout=io.StringIO())
    Repository.objects.update(archive_checked_at=None)
    print(f"demo catalogue loaded in {time.perf_counter() - started:.1f} s")

    with open(args.found, newline="") as source:
        found = {
            row["origin_url"].rstrip("/"): row["is_available"] == "True"
            for row in csv.DictReader(source)
        }
    chance = random.Random(1)  # noqa: S311 - a reproducible sample, not a secret
    expected = Counter()
    with FakeSoftwareHeritage(latency=args.latency) as server:
        server.set_rate_limit("default", 10**9)
        for repository in Repository.objects.visible().select_related("forge"):
            web = repository.web_url.rstrip("/")
            if not found.get(web):
                expected["absent"] += 1
                continue
            first, second = repository.archive_origins()
            origin = (
                second if repository.forge.kind != "github" and chance.random() < 0.1 else first
            )
            visits = [
                visit(date="2025-06-01T10:00:00+00:00", snapshot=f"{chance.getrandbits(160):040x}")
            ]
            if chance.random() < 0.03:
                visits.append(visit(date="2026-11-01T10:00:00+00:00", status="failed"))
            server.add_origin(origin, visits=visits)
            expected["archived"] += 1
        print(f"fake archive: {len(server.origins)} origins; {dict(expected)} expected")

        for label in ("first run", "second run (nothing due)"):
            server.reset_log()
            started = time.perf_counter()
            with swh.client_from_settings(api_url=server.url, token="") as client:
                report = archive.check_due(client=client, limit=args.limit, workers=args.workers)
            wall = time.perf_counter() - started
            checked = report.checked or 1
            print(f"\n{label}: {report.summary()}")
            print(
                f"  wall time                 {wall:8.1f} s ({args.workers} worker(s), "
                f"{args.latency * 1000:.0f} ms per answer)"
            )
            print(f"  repositories per second   {report.checked / wall:8.1f}")
            print(f"  requests per repository   {report.requests / checked:8.3f}")
            if label == "first run":
                per_origin = Counter(
                    request.origin_url.removesuffix(".git") for request in server.requests
                )
                states = Repository.objects.filter(archive_checked_at__isnull=False).values_list(
                    "web_url", "archive_state"
                )
                spent, counted = Counter(), Counter()
                for web_url, state in states:
                    spent[state] += per_origin[web_url.rstrip("/")]
                    counted[state] += 1
                for state, count in sorted(counted.items()):
                    each = spent[state] / count
                    print(f"    {state:<22} {count:6} repositories, {each:.2f} requests each")
            if report.checked:
                per_minute = NATIONAL * report.requests / checked / ANONYMOUS_PER_MINUTE
                print(
                    f"  {NATIONAL:,} repositories within {ANONYMOUS_PER_MINUTE} requests a "
                    f"minute: {per_minute:.0f} minutes; at this run's pace: "
                    f"{NATIONAL / (report.checked / wall) / 60:.0f} minutes"
                )
        by_kind = Counter(request.kind for request in server.requests)
        print(f"  requests by kind (second run): {dict(by_kind) or 'none'}")


if __name__ == "__main__":
    main()
