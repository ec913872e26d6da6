"""A database holding the demo as it stood before the layout move (issue 10) migrates forward
with every row kept.

The health records and requests, the import models and API tokens moved to the health,
imports and accounts apps with state-only migrations: their tables stay where they were.
The dump (tests/data/demo-before-layout.sql.gz; tests/data/README.md says how it was made)
is loaded into a database of its own on the test server, migrated the way a deploy migrates,
and dropped afterwards.
"""

import gzip
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Count, Model
from psycopg import sql

from portfolio.accounts.models import ApiToken
from portfolio.health.models import HealthRequest, PortfolioHealth, ProgrammeHealth, ProjectHealth
from portfolio.imports.models import ImportJob, ImportMapping
from tests.conftest import ROOT, database_url

pytestmark = pytest.mark.migration

DUMP = ROOT / "tests" / "data" / "demo-before-layout.sql.gz"
ALIAS = "before_layout"

# Each moved model, with the app label and table it had before the move.
MOVED: list[tuple[type[Model], str, str]] = [
    (ProgrammeHealth, "programmes", "programmes_programmehealth"),
    (PortfolioHealth, "programmes", "programmes_portfoliohealth"),
    (HealthRequest, "programmes", "programmes_healthrequest"),
    (ProjectHealth, "projects", "projects_projecthealth"),
    (ImportJob, "portfolio", "portfolio_importjob"),
    (ImportMapping, "portfolio", "portfolio_importmapping"),
    (ApiToken, "portfolio", "portfolio_apitoken"),
]
# Tables whose rows a migration may add to: its own record, and the content types and
# permissions of models added after the dump was made (rows that were there must stay).
GROWING = {"django_migrations", "django_content_type", "auth_permission"}


def _load(conninfo: dict[str, Any], dump_lines: Iterator[str]) -> None:
    """Restore a plain pg_dump without psql: SQL as it stands, each COPY block's data through
    COPY, psql's own backslash commands (\\restrict) skipped; one transaction."""
    with psycopg.connect(**conninfo) as conn:
        pending: list[str] = []
        for line in dump_lines:
            if line.startswith("COPY ") and line.rstrip().endswith("FROM stdin;"):
                if pending:
                    conn.execute("".join(pending))
                    pending.clear()
                with conn.cursor().copy(line.rstrip().removesuffix(";")) as copy:
                    for row in dump_lines:
                        if row == "\\.\n":
                            break
                        copy.write(row)
            elif not line.startswith("\\"):
                pending.append(line)
        if pending:
            conn.execute("".join(pending))


def _snapshot(conninfo: dict[str, Any]) -> dict[str, Any]:
    """Row counts of every table, the highest id of the growing ones, the content type ids
    by (app label, model), and the migrations applied."""
    with psycopg.connect(**conninfo) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        counts, top = {}, {}
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            counts[table] = _scalar(conn, query)
        for table in GROWING:
            query = sql.SQL("SELECT max(id) FROM {}").format(sql.Identifier(table))
            top[table] = _scalar(conn, query)
        content_types = {
            (app_label, model): pk
            for pk, app_label, model in conn.execute(
                "SELECT id, app_label, model FROM django_content_type"
            )
        }
        applied = set(conn.execute("SELECT app, name FROM django_migrations").fetchall())
    return {"counts": counts, "top": top, "content_types": content_types, "applied": applied}


def _scalar(conn: psycopg.Connection[Any], query: sql.Composable, *params: object) -> Any:
    row = conn.execute(query, params or None).fetchone()
    assert row is not None
    return row[0]


def _count_up_to(conninfo: dict[str, Any], table: str, top: int) -> int:
    with psycopg.connect(**conninfo) as conn:
        query = sql.SQL("SELECT count(*) FROM {} WHERE id <= %s").format(sql.Identifier(table))
        return int(_scalar(conn, query, top))


def _migrate(url: str) -> None:
    """`manage.py migrate` in a process of its own, the way a deploy runs it: there the
    database is the default one, as the migrations' own data steps expect."""
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@dataclass
class Migrated:
    conninfo: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]


@pytest.fixture(scope="module")
def migrated(django_db_blocker: Any) -> Iterator[Migrated]:
    """The dump restored into a database of its own on the test server (the alias ALIAS),
    then migrated; with what it held before and after. Dropped afterwards, also when a test
    fails."""
    default = connections["default"].settings_dict
    server = {
        "host": default["HOST"],
        "port": default["PORT"] or None,
        "user": default["USER"],
        "password": default["PASSWORD"] or None,
    }
    name = f"test_sm_{secrets.token_hex(6)}"
    # Created and dropped from the server's maintenance database, as Django creates the
    # test database.
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conninfo = {**server, "dbname": name}
    connections.settings[ALIAS] = {**default, "NAME": name, "TEST": {"NAME": name}}
    try:
        with gzip.open(DUMP, "rt", encoding="utf-8") as dump_lines:
            _load(conninfo, dump_lines)
        before = _snapshot(conninfo)
        _migrate(database_url(name))
        with django_db_blocker.unblock():
            yield Migrated(conninfo, before, _snapshot(conninfo))
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]
        ContentType.objects.clear_cache()
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
            query = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
            admin.execute(sql.SQL(query).format(sql.Identifier(name)))


def test_the_dump_predates_the_move_and_fills_every_moved_table(migrated: Migrated) -> None:
    applied_apps = {app for app, _ in migrated.before["applied"]}
    assert not applied_apps & {"health", "imports", "accounts"}
    for _, _, table in MOVED:
        assert migrated.before["counts"][table] > 0, f"the dump has no rows in {table}"


def test_migrating_applies_the_moves(migrated: Migrated) -> None:
    moves = {("health", "0001_initial"), ("imports", "0001_initial"), ("accounts", "0001_initial")}
    assert moves <= migrated.after["applied"]


def test_every_table_keeps_every_row(migrated: Migrated) -> None:
    before, after = migrated.before, migrated.after
    assert set(after["counts"]) >= set(before["counts"]), "tables dropped"
    changed = {
        table: (count, after["counts"][table])
        for table, count in before["counts"].items()
        if table not in GROWING and after["counts"][table] != count
    }
    assert changed == {}, "row counts changed (before, after)"
    for table in GROWING:
        kept = _count_up_to(migrated.conninfo, table, before["top"][table])
        assert kept == before["counts"][table], f"rows lost from {table}"


def test_the_moved_models_read_their_old_rows_through_their_new_apps(migrated: Migrated) -> None:
    for model, _, table in MOVED:
        # Every row, every field: a column the model names and the table lacks fails here.
        rows = list(model.objects.using(ALIAS).all())
        assert len(rows) == migrated.before["counts"][table], model.__name__


def test_each_project_still_has_one_current_health_record(migrated: Migrated) -> None:
    current = (
        ProjectHealth.objects.using(ALIAS)
        .filter(is_current=True)
        .values("project")
        .annotate(records=Count("pk"))
    )
    assert {row["records"] for row in current} == {1}
    with psycopg.connect(**migrated.conninfo) as conn:
        query = sql.SQL(
            "SELECT count(DISTINCT project_id) FROM projects_projecthealth WHERE is_current"
        )
        assert len(current) == _scalar(conn, query) > 0


def test_moved_rows_keep_their_links_to_rows_of_other_apps(migrated: Migrated) -> None:
    token = ApiToken.objects.using(ALIAS).select_related("user").get(name="Nightly export")
    assert token.user.username == "pmo" and token.is_active
    job = ImportJob.objects.using(ALIAS).select_related("mapping").get(status="succeeded")
    assert job.mapping is not None and job.mapping.name == "US IT Dashboard"
    programme_health = ProgrammeHealth.objects.using(ALIAS).select_related("programme")
    assert {record.programme.code for record in programme_health.filter(is_current=True)}


def test_the_content_types_of_the_moved_models_carry_their_new_app_labels(
    migrated: Migrated,
) -> None:
    content_types = ContentType.objects.using(ALIAS)
    for model, old_label, _ in MOVED:
        meta = model._meta
        old_id = migrated.before["content_types"][(old_label, meta.model_name)]
        moved = content_types.get(pk=old_id)
        assert (moved.app_label, moved.model) == (meta.app_label, meta.model_name)
        assert not content_types.filter(app_label=old_label, model=meta.model_name).exists()
        assert content_types.filter(app_label=meta.app_label, model=meta.model_name).count() == 1
        codenames = set(
            Permission.objects.using(ALIAS)
            .filter(content_type_id=old_id)
            .values_list("codename", flat=True)
        )
        assert f"view_{meta.model_name}" in codenames
