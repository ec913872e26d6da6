"""Health records and requests moved to portfolio.health; their tables stay (state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0003_drop_programme_rollup'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='HealthRequest',
                ),
                migrations.RemoveField(
                    model_name='programmehealth',
                    name='programme',
                ),
                migrations.DeleteModel(
                    name='PortfolioHealth',
                ),
                migrations.DeleteModel(
                    name='ProgrammeHealth',
                ),
            ],
        ),
    ]
