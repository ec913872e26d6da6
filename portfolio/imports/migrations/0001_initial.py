"""Import mappings and jobs, moved here from the project package: the tables exist already
(state only)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = [('portfolio', 'imports', 'importmapping'), ('portfolio', 'imports', 'importjob')]


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
        ('portfolio', '0003_tables_moved_to_sub_apps'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportMapping',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True)),
                        ('columns', models.JSONField(default=dict, help_text='Target field key -> column header')),
                        ('cost_unit', models.CharField(choices=[('units', 'Currency units (e.g. dollars)'), ('thousands', 'Thousands'), ('millions', 'Millions')], default='units', max_length=10)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'portfolio_importmapping',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('filename', models.CharField(max_length=255)),
                        ('data', models.BinaryField()),
                        ('size', models.PositiveIntegerField(default=0)),
                        ('file_format', models.CharField(choices=[('csv', 'CSV'), ('xlsx', 'Excel workbook')], max_length=4)),
                        ('encoding', models.CharField(blank=True, help_text='How a CSV was decoded', max_length=20)),
                        ('headers', models.JSONField(default=list)),
                        ('row_count', models.PositiveIntegerField(default=0)),
                        ('columns', models.JSONField(default=dict, help_text='Target field key -> column header')),
                        ('cost_unit', models.CharField(choices=[('units', 'Currency units (e.g. dollars)'), ('thousands', 'Thousands'), ('millions', 'Millions')], default='units', max_length=10)),
                        ('status', models.CharField(choices=[('draft', 'Being prepared'), ('pending', 'Pending'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='draft', max_length=10)),
                        ('counts', models.JSONField(blank=True, default=dict)),
                        ('progress_done', models.PositiveIntegerField(default=0)),
                        ('progress_total', models.PositiveIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('row_errors', models.JSONField(blank=True, default=list)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('queued_at', models.DateTimeField(blank=True, null=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('mapping', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='jobs', to='imports.importmapping')),
                    ],
                    options={
                        'db_table': 'portfolio_importjob',
                        'ordering': ['-created_at'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('progress_done__lte', models.F('progress_total'))), name='import_progress_within_total')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
