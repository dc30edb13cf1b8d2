# Honest scores: unchecked criteria (root files never listed…) no longer count as failed.

from django.db import migrations
from django.utils import timezone

from catalog.scoring import score_fields

BATCH = 2000
FIELDS = [
    "pk",
    "root_files",
    "license_reported",
    "license_spdx",
    "publiccode_valid",
    "description",
    "pushed_at",
    "updated_at",
    "is_archived",
    "is_fork",
    "stars",
    "forks",
    "forge__kind",
]


def rescore(apps, schema_editor):
    """Root files never listed become unknown (None, not []), and every score is computed
    again over the checked criteria only (catalog.scoring). Only GitLab's listing lacks
    licences; a fork flag stored before this migration is taken as known."""
    Repository = apps.get_model("catalog", "Repository")
    Repository.objects.filter(inspected_activity_at__isnull=True, root_files=[]).update(
        root_files=None
    )
    now = timezone.now()
    batch = []
    rows = Repository.objects.order_by("pk").values(*FIELDS).iterator(chunk_size=BATCH)
    for row in rows:
        computed = score_fields(row, now, license_listed=row["forge__kind"] != "gitlab")
        batch.append(Repository(pk=row["pk"], **computed))
        if len(batch) == BATCH:
            Repository.objects.bulk_update(batch, list(computed))
            batch = []
    if batch:
        Repository.objects.bulk_update(batch, list(computed))


def unknown_root_files_as_empty(apps, schema_editor):
    apps.get_model("catalog", "Repository").objects.filter(root_files__isnull=True).update(
        root_files=[]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0012_honest_scores"),
    ]

    operations = [
        migrations.RunPython(rescore, unknown_root_files_as_empty, elidable=True),
    ]
