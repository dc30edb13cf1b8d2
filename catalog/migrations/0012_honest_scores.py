# Honest scores: a score over the checked criteria only, and root files that may be unknown.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0011_public_body_hierarchy'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='repository',
            name='catalog_repo_listing_score',
        ),
        migrations.AddField(
            model_name='repository',
            name='score_checkable',
            field=models.PositiveSmallIntegerField(default=100, verbose_name='points vérifiables'),
        ),
        migrations.AlterField(
            model_name='repository',
            name='root_files',
            field=models.JSONField(blank=True, default=None, null=True, verbose_name='fichiers à la racine'),
        ),
        migrations.AddIndex(
            model_name='repository',
            index=models.Index(models.OrderBy(models.F('score'), descending=True), models.OrderBy(models.F('score_checkable'), descending=True), models.OrderBy(models.F('stars'), descending=True), models.F('full_path'), condition=models.Q(('gone_since__isnull', True), ('is_archived', False)), name='catalog_repo_listing_score'),
        ),
    ]
