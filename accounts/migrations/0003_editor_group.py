from django.db import migrations

from accounts.roles import sync_editor_group


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_public_body"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("catalog", "0005_listing_indexes"),
        ("sill", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_editor_group, migrations.RunPython.noop)]
