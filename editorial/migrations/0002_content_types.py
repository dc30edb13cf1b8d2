"""The content types of the moved models follow them (codegouv → editorial), so that their
permissions, the groups and users holding them and the admin's history stay attached; then
the Éditeur group gets its guide and highlight permissions (a database created from scratch
never had them: its group was made before these models existed)."""

from django.contrib.contenttypes.models import ContentType as CurrentContentType
from django.db import migrations

from accounts.roles import sync_editor_group

MODELS = ("guidepage", "highlight")


def relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        moved = ContentType.objects.filter(app_label=old, model=model).first()
        if moved is None:
            continue
        # Made by a post_migrate run in between (migrate stopped at editorial 0001): the
        # old content type carries the real permissions and history, it wins.
        ContentType.objects.filter(app_label=new, model=model).delete()
        moved.app_label = new
        moved.save(update_fields=["app_label"])
    # sync_editor_group looks content types up through the current models' cache.
    ContentType.objects.clear_cache()
    CurrentContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    relabel(apps, "codegouv", "editorial")
    sync_editor_group(apps, schema_editor)


def backwards(apps, schema_editor):
    relabel(apps, "editorial", "codegouv")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_editor_moderation"),
        ("codegouv", "0004_editorial_models_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("editorial", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
