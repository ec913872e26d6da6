"""Project health records moved to portfolio.health; the table stays (state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0005_health'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='ProjectHealth',
                ),
            ],
        ),
    ]
