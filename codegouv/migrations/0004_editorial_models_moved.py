"""GuidePage and Highlight now belong to the editorial app (see editorial 0001): forget
them here, state only; their tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("codegouv", "0003_highlight_published_targets"),
        ("editorial", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="GuidePage"),
                migrations.DeleteModel(name="Highlight"),
            ],
        ),
    ]
