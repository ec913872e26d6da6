"""Health records and requests, moved here from programmes and projects: the tables exist
already (state only)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

MOVED = [('programmes', 'health', 'healthrequest'), ('programmes', 'health', 'programmehealth'), ('programmes', 'health', 'portfoliohealth'), ('projects', 'health', 'projecthealth')]


def move_content_types(apps, schema_editor):
    """Permissions and admin log entries follow the models to their new app label."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    for old_label, new_label, model in MOVED:
        if not content_types.filter(app_label=new_label, model=model).exists():
            content_types.filter(app_label=old_label, model=model).update(app_label=new_label)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('programmes', '0004_health_moved_to_health_app'),
        ('projects', '0006_health_moved_to_health_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HealthRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject', models.CharField(choices=[('project', 'Project'), ('programme', 'Programme'), ('portfolio', 'Portfolio')], max_length=10)),
                        ('subject_id', models.BigIntegerField()),
                        ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'db_table': 'programmes_healthrequest',
                        'constraints': [models.UniqueConstraint(fields=('subject', 'subject_id'), name='one_request_per_subject')],
                    },
                ),
                migrations.CreateModel(
                    name='PortfolioHealth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('taken_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('kind', models.CharField(choices=[('change', 'On change'), ('weekly', 'Weekly snapshot')], default='change', max_length=8)),
                        ('is_current', models.BooleanField(default=False)),
                        ('overall', models.CharField(blank=True, choices=[('green', 'Green'), ('amber_green', 'Amber/green'), ('amber', 'Amber'), ('amber_red', 'Amber/red'), ('red', 'Red')], max_length=12)),
                        ('reported', models.CharField(blank=True, choices=[('green', 'Green'), ('amber_green', 'Amber/green'), ('amber', 'Amber'), ('amber_red', 'Amber/red'), ('red', 'Red')], max_length=12)),
                        ('computed', models.CharField(blank=True, choices=[('green', 'Green'), ('amber_green', 'Amber/green'), ('amber', 'Amber'), ('amber_red', 'Amber/red'), ('red', 'Red')], max_length=12)),
                        ('gap', models.BooleanField(default=False)),
                        ('dimensions', models.JSONField(default=dict)),
                        ('reasons', models.JSONField(default=list)),
                        ('portfolio', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='health_records', to='programmes.portfolio')),
                    ],
                    options={
                        'db_table': 'programmes_portfoliohealth',
                        'ordering': ['-taken_at'],
                        'abstract': False,
                        'indexes': [models.Index(fields=['portfolio', '-taken_at'], name='programmes__portfol_82dd8d_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('is_current', True)), fields=('portfolio',), name='one_current_health_per_portfolio')],
                    },
                ),
                migrations.CreateModel(
                    name='ProgrammeHealth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('taken_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('kind', models.CharField(choices=[('change', 'On change'), ('weekly', 'Weekly snapshot')], default='change', max_length=8)),
                        ('is_current', models.BooleanField(default=False)),
                        ('overall', models.CharField(blank=True, choices=[('green', 'Green'), ('amber_green', 'Amber/green'), ('amber', 'Amber'), ('amber_red', 'Amber/red'), ('red', 'Red')], max_length=12)),
                        ('reported', models.CharField(blank=True, choices=[('green', 'Green'), ('amber_green', 'Amber/green'), ('amber', 'Amber'), ('amber_red', 'Amber/red'), ('red', 'Red')], max_length=12)),
                        ('computed', models.CharField(blank=True, choices=[('green', 'Green'), ('amber_green', 'Amber/green'), ('amber', 'Amber'), ('amber_red', 'Amber/red'), ('red', 'Red')], max_length=12)),
                        ('gap', models.BooleanField(default=False)),
                        ('dimensions', models.JSONField(default=dict)),
                        ('reasons', models.JSONField(default=list)),
                        ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='health_records', to='programmes.programme')),
                    ],
                    options={
                        'db_table': 'programmes_programmehealth',
                        'ordering': ['-taken_at'],
                        'abstract': False,
                        'indexes': [models.Index(fields=['programme', '-taken_at'], name='programmes__program_4be830_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('is_current', True)), fields=('programme',), name='one_current_health_per_programme')],
                    },
                ),
                migrations.CreateModel(
                    name='ProjectHealth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('taken_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('kind', models.CharField(choices=[('change', 'On change'), ('weekly', 'Weekly snapshot')], default='change', max_length=8)),
                        ('is_current', models.BooleanField(default=False)),
                        ('overall', models.CharField(blank=True, choices=[('green', 'Green'), ('amber_green', 'Amber/green'), ('amber', 'Amber'), ('amber_red', 'Amber/red'), ('red', 'Red')], max_length=12)),
                        ('reported', models.CharField(blank=True, choices=[('green', 'Green'), ('amber_green', 'Amber/green'), ('amber', 'Amber'), ('amber_red', 'Amber/red'), ('red', 'Red')], max_length=12)),
                        ('computed', models.CharField(blank=True, choices=[('green', 'Green'), ('amber_green', 'Amber/green'), ('amber', 'Amber'), ('amber_red', 'Amber/red'), ('red', 'Red')], max_length=12)),
                        ('gap', models.BooleanField(default=False)),
                        ('dimensions', models.JSONField(default=dict)),
                        ('reasons', models.JSONField(default=list)),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='health_records', to='projects.project')),
                    ],
                    options={
                        'db_table': 'projects_projecthealth',
                        'ordering': ['-taken_at'],
                        'abstract': False,
                        'indexes': [models.Index(fields=['project', '-taken_at'], name='projects_pr_project_a016ca_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('is_current', True)), fields=('project',), name='one_current_health_per_project')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
