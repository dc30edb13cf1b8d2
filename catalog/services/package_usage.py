"""Count, once per catalogue change, how many repositories declare each package.

/dependances/ ranks packages by distinct repositories: a grouping over every Dependency
row, seconds at national scale (millions of rows). The counts change only when a harvest
writes manifests, so they are computed then, in one statement, and the page reads them
(catalog.models.PackageUsage). A filter on a public body narrows the rows enough for the
page to count them itself.
"""

from __future__ import annotations

import logging
import time

from django.db import connection, transaction
from django.db.models import Count, Q

from catalog.enums import DependencyScope
from catalog.models import Dependency, PackageUsage
from core.db import longer_statements

logger = logging.getLogger(__name__)


def refresh_package_usage() -> int:
    """Replace the counts with those of the current Dependency rows: how many packages.

    One transaction: a reader sees the old counts or the new ones, never a part."""
    started = time.monotonic()
    counted = (
        Dependency.objects.of_visible_originals()
        .order_by()
        .values("ecosystem", "name", "purl")
        .annotate(
            runtime_count=Count(
                "repository", distinct=True, filter=Q(scope=DependencyScope.RUNTIME)
            ),
            every_count=Count("repository", distinct=True),
        )
    )
    select_sql, params = counted.query.sql_with_params()
    table = connection.ops.quote_name(PackageUsage._meta.db_table)
    # A worker has no statement timeout, a web process (in-process tasks) has the web's.
    with longer_statements(0), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's own table
        cursor.execute(
            f"INSERT INTO {table} (ecosystem, name, purl, runtime_count, every_count) "  # noqa: S608
            f"SELECT * FROM ({select_sql}) AS counted",
            params,
        )
        rows = cursor.rowcount
    logger.info("package usage: %s packages counted in %.1f s", rows, time.monotonic() - started)
    return rows
