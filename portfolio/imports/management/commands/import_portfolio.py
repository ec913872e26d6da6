"""`manage.py import_portfolio FILE --mapping MAPPING.json`: the import pages' pipeline for
scripts. A dry run unless --commit; the exit status says how it went (0 clean, 1 refused,
nothing saved, 2 imported with rows left out by --partial)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portfolio.imports.cleaning import RowIssue
from portfolio.imports.columns import TARGETS
from portfolio.imports.downloads import MappingProblem, mapping_from_document
from portfolio.imports.models import ImportJob
from portfolio.imports.options import OPTION_HELP, READING_HELP, parse_with
from portfolio.imports.planning import import_dry_run
from portfolio.imports.reading import FileProblem
from portfolio.imports.services import (
    import_job_create,
    import_job_run_here,
    import_job_set_mapping,
)

REFUSED, PARTLY = 1, 2


class Command(BaseCommand):
    help = (
        "Import a portfolio file (CSV or XLSX) with a mapping saved from the mapping page. "
        "A dry run unless --commit. Exit status: 0 clean, 1 refused (nothing saved), "
        "2 imported with rows left out (--partial)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="the CSV or XLSX file")
        parser.add_argument("--mapping", type=Path, help="the mapping JSON (mapping page)")
        parser.add_argument(
            "--period", type=date.fromisoformat, help="reporting date of a return, YYYY-MM-DD"
        )
        parser.add_argument("--commit", action="store_true", help="save; else a dry run")
        parser.add_argument(
            "--partial", action="store_true", help="import the valid rows, leave out the rest"
        )
        parser.add_argument("--user", help="username the import is recorded as")
        parser.add_argument("--fields", action="store_true", help="list the mapping keys")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["fields"]:
            self._list_fields()
            return
        if options["file"] is None or options["mapping"] is None:
            raise CommandError("Give a FILE and --mapping MAPPING.json (or --fields).")
        job = self._job(options)
        dry_run = import_dry_run(job)
        if dry_run.plan is None:
            raise CommandError(dry_run.problem, returncode=REFUSED)
        plan = dry_run.plan
        self._print_counts(plan.counts())
        for issue in plan.warnings:
            self.stdout.write(f"  note {_issue(issue)}")
        for issue in plan.errors:
            self.stderr.write(f"  problem {_issue(issue)}")
        if not options["commit"]:
            self.stdout.write("Dry run: nothing was saved (add --commit to save).")
            if plan.errors:
                raise CommandError(f"{len(plan.errors)} problems.", returncode=REFUSED)
            return
        self._commit(job, options["partial"])

    def _job(self, options: dict[str, Any]) -> ImportJob:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
            document = json.loads(options["mapping"].read_text(encoding="utf-8"))
            columns, reading, import_options = mapping_from_document(document)
            parsed = parse_with(content, reading)
        except (OSError, ValueError, FileProblem, MappingProblem) as exc:
            raise CommandError(str(exc), returncode=REFUSED) from None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.", returncode=REFUSED)
        job = import_job_create(
            filename=path.name,
            content=content,
            parsed=parsed,
            mapping=None,
            user_id=user.pk if user else None,
            reading=reading,
        )
        self.stdout.write(f"{path.name}: {len(parsed.rows):,} rows. {parsed.encoding_note}")
        return import_job_set_mapping(
            job=job,
            columns=columns,
            cost_unit=reading.cost_unit,
            reading=reading,
            options=import_options,
            period=options["period"],
        )

    def _commit(self, job: ImportJob, partial: bool) -> None:
        job = import_job_run_here(job=job, partial=partial)
        if job.status != ImportJob.Status.SUCCEEDED:
            raise CommandError(job.error, returncode=REFUSED)
        self.stdout.write(f"Import #{job.pk} saved.")
        if job.row_errors:
            raise CommandError(job.error, returncode=PARTLY)

    def _print_counts(self, counts: dict[str, dict[str, int]]) -> None:
        for level, outcome in counts.items():
            line = ", ".join(f"{number:,} {what}" for what, number in outcome.items())
            self.stdout.write(f"{level}: {line}")

    def _list_fields(self) -> None:
        self.stdout.write('Mapping "columns" keys (field: the column header that feeds it):')
        for target in TARGETS:
            required = " (required)" if target.required else ""
            text = f"{target.label}{required}. {target.help_text}".strip()
            self.stdout.write(f"  {target.key:<24} {text}")
        self.stdout.write('"cost_unit": units, thousands or millions.')
        self.stdout.write('"reading" (how the file is read; each may be left out):')
        for key, text in READING_HELP.items():
            self.stdout.write(f"  {key:<24} {text}")
        self.stdout.write('"options":')
        for key, text in OPTION_HELP.items():
            self.stdout.write(f"  {key:<24} {text}")


def _issue(issue: RowIssue) -> str:
    where = f"row {issue.row}" if issue.row else "file"
    column = f" [{issue.column}]" if issue.column else ""
    return f"{where} {issue.field}{column}: {issue.message}"
