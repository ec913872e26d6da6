"""The import and API token models moved to portfolio.imports and portfolio.accounts; their
tables stay (state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portfolio', '0002_apitoken'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='importjob',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='importjob',
                    name='mapping',
                ),
                migrations.RemoveField(
                    model_name='importmapping',
                    name='created_by',
                ),
                migrations.DeleteModel(
                    name='ApiToken',
                ),
                migrations.DeleteModel(
                    name='ImportJob',
                ),
                migrations.DeleteModel(
                    name='ImportMapping',
                ),
            ],
        ),
    ]
