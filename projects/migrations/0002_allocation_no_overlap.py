"""PostgreSQL refuses overlapping allocations of one person to one project.

SQLite (the quick start) has no exclusion constraints; there the service's check guards it.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE projects_allocation ADD CONSTRAINT allocation_no_overlap_per_person_project
EXCLUDE USING gist (
    person_id WITH =, project_id WITH =, daterange(start_date, finish_date, '[]') WITH &&
);
"""
DROP = "ALTER TABLE projects_allocation DROP CONSTRAINT allocation_no_overlap_per_person_project;"


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
