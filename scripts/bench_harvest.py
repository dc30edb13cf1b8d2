"""Benchmark the harvest against a fake forge: prints figures, asserts nothing.

    make bench-harvest [BENCH_ARGS="--kind gitlab --owners 200 --repos 100 --latency 0.02"]

Harvests OWNERS x REPOS repositories served by tests/fakeforge with LATENCY seconds per
request, owners in parallel (like Celery workers), then again with nothing changed, and
prints wall time, repositories per second, HTTP requests per repository (GraphQL ones apart)
and SQL queries per repository for both runs. With --token (GitHub), FORGE_TOKENS holds a
token for the bench forge, so the harvest reads through GraphQL in batches as it does with
a real token (GitHub and GitLab). Uses DATABASE_URL (PostgreSQL by default, as `make test` picks
it); the database `codegouv_bench` is created and emptied by the run.
"""

import argparse
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["github", "gitlab", "gitea"], default="github")
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--repos", type=int, default=100, help="repositories per owner")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    parser.add_argument("--workers", type=int, default=16, help="owners harvested at once")
    parser.add_argument(
        "--token",
        action="store_true",
        help="configure a token for the forge (GitHub, GitLab: GraphQL batches)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codegouv.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/codegouv_bench")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    from catalog.models import Forge, Owner, Repository
    from catalog.services.harvest import harvest_owner
    from tests.fakeforge import FakeForge
    from tests.fakeforge.generate import populate

    _ensure_database(connection)
    call_command("migrate", verbosity=0)
    Repository.objects.all().delete()
    Owner.objects.all().delete()
    Forge.objects.all().delete()

    queries = {"count": 0}
    lock = threading.Lock()

    def count_queries(execute, sql, params, many, context):
        with lock:
            queries["count"] += 1
        return execute(sql, params, many, context)

    with FakeForge(args.kind, latency=args.latency) as server:
        # GitHub's real budget (5,000 an hour with a token) would stop the run after a few
        # thousand repositories; the benchmark measures cost per repository, not patience.
        server.rate_limit_budget = 10**9
        started = time.perf_counter()
        populate(server, owners=args.owners, repos_per_owner=args.repos, seed=1)
        print(
            f"fake {args.kind} forge: {len(server.repos)} repositories, "
            f"{len(server.owners)} owners, {args.latency * 1000:.0f} ms per request "
            f"(built in {time.perf_counter() - started:.1f} s)"
        )
        server.graphql_budget = 10**9
        forge = Forge.objects.create(
            host=f"bench.{args.kind}", kind=args.kind, api_url=server.api_url
        )
        settings.FORGE_TOKENS = {forge.host: "bench-token"} if args.token else {}
        print(f"token configured: {'yes' if args.token else 'no'}")
        owner_ids = [
            Owner.objects.create(forge=forge, path=owner.path).pk
            for owner in server.owners
            if not owner.path.count("/")
        ]

        def harvest(owner_id):
            with connection.execute_wrapper(count_queries):
                run = harvest_owner(owner_id=owner_id)
            connections.close_all()
            return run

        for label in ("first run", "unchanged re-run"):
            queries["count"] = 0
            server.reset_log()
            started = time.perf_counter()
            with ThreadPoolExecutor(args.workers) as pool:
                runs = list(pool.map(harvest, owner_ids))
            wall = time.perf_counter() - started
            repos = sum(run.seen for run in runs) or 1
            requests = sum(run.requests for run in runs)
            not_modified = sum(run.not_modified for run in runs)
            failed = [run for run in runs if run.status != "ok"]
            print(f"\n{label}: {len(runs)} owners, {repos} repositories, {len(failed)} failed")
            print(f"  wall time                 {wall:8.1f} s")
            print(f"  repositories per second   {repos / wall:8.1f}")
            print(f"  HTTP requests per repo    {requests / repos:8.3f}  ({requests} requests)")
            print(f"  non-304 requests per repo {(requests - not_modified) / repos:8.3f}")
            graphql = sum(
                1 for logged in server.requests if logged.path in ("/graphql", "/api/graphql")
            )
            print(
                f"  of which REST per repo    {(requests - graphql) / repos:8.3f}  "
                f"({requests - graphql} requests)"
            )
            print(f"  of which GraphQL per repo {graphql / repos:8.3f}  ({graphql} queries)")
            print(
                f"  SQL queries per repo      {queries['count'] / repos:8.3f}  "
                f"({queries['count']} queries)"
            )
            print(
                f"  created / updated / unchanged  {sum(r.created for r in runs)} / "
                f"{sum(r.updated for r in runs)} / {sum(r.unchanged for r in runs)}"
            )
            for run in failed[:5]:
                print(f"  failed: {run.owner}: {run.errors[:1]}")


def _ensure_database(connection):
    """Create the benchmark database on first use."""
    import psycopg

    params = connection.get_connection_params()
    name = connection.settings_dict["NAME"]
    admin = {k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
