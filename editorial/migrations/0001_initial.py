"""GuidePage and Highlight move here from the project package (codegouv), state only.

Their tables were created by codegouv's migrations 0001 to 0003 and keep their names
(Meta.db_table): nothing happens in the database. codegouv 0004 then forgets the models.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalog', '0007_publicbody_siren'),
        ('codegouv', '0003_highlight_published_targets'),
        ('contributions', '0002_project_key'),
        ('sill', '0002_moderation'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='GuidePage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='titre')),
                        ('slug', models.SlugField(max_length=200, unique=True, verbose_name='identifiant d’URL')),
                        ('summary', models.CharField(blank=True, help_text='Une phrase, reprise dans la liste des guides et la description de la page.', max_length=300, verbose_name='résumé')),
                        ('body', models.TextField(blank=True, verbose_name='contenu (Markdown)')),
                        ('status', models.CharField(choices=[('draft', 'brouillon'), ('published', 'publiée')], default='draft', max_length=16, verbose_name='statut')),
                        ('placement', models.CharField(choices=[('none', 'aucun lien'), ('footer', 'pied de page'), ('navigation', 'menu principal')], default='none', help_text='Où un lien vers la page apparaît une fois publiée.', max_length=16, verbose_name='lien')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='ordre')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='modifiée le')),
                        ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='publiée le')),
                    ],
                    options={
                        'verbose_name': 'page de guide',
                        'verbose_name_plural': 'pages de guide',
                        'db_table': 'codegouv_guidepage',
                        'ordering': ('order', 'title'),
                    },
                ),
                migrations.CreateModel(
                    name='Highlight',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='titre')),
                        ('text', models.CharField(blank=True, max_length=300, verbose_name='texte court')),
                        ('image_url', models.URLField(blank=True, max_length=500, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='adresse de l’image')),
                        ('url', models.URLField(blank=True, max_length=500, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='adresse web')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='ordre')),
                        ('start_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='début')),
                        ('end_at', models.DateTimeField(blank=True, null=True, verbose_name='fin')),
                        ('contribution', models.ForeignKey(blank=True, limit_choices_to={'moderation_status': 'published'}, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='highlights', to='contributions.contribution', verbose_name='contribution')),
                        ('repository', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='highlights', to='catalog.repository', verbose_name='dépôt')),
                        ('software', models.ForeignKey(blank=True, limit_choices_to={'moderation_status': 'published'}, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='highlights', to='sill.software', verbose_name='logiciel du SILL')),
                    ],
                    options={
                        'verbose_name': 'mise en avant',
                        'verbose_name_plural': 'mises en avant',
                        'db_table': 'codegouv_highlight',
                        'ordering': ('order', 'start_at'),
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('contribution__isnull', True), ('repository__isnull', False), ('software__isnull', True), ('url', '')), models.Q(('contribution__isnull', True), ('repository__isnull', True), ('software__isnull', False), ('url', '')), models.Q(('contribution__isnull', False), ('repository__isnull', True), ('software__isnull', True), ('url', '')), models.Q(('contribution__isnull', True), ('repository__isnull', True), ('software__isnull', True), models.Q(('url', ''), _negated=True)), _connector='OR'), name='codegouv_highlight_exactly_one_target', violation_error_message='Choisissez exactement une cible : un dépôt, un logiciel du SILL, une contribution ou une adresse web.')],
                    },
                ),
            ],
        ),
    ]
