"""Stage 4, planning: the dry run. Cleaned rows -> a `Plan` of what the commit would do.

The rows are checked against each other (one row per project in a portfolio, one name per
portfolio and programme code), then matched with the database: each portfolio, programme
and project is to be created, updated or left alone, and a row that clashes with what
exists is an error. Nothing is written; the preview shows the plan's counts, rows and
errors, and `services` hands an error-free plan to `apply_plan`.

- Identity. Portfolios are matched on `external_id` (the portfolio code as in the file),
  programmes and projects on `external_id` *within their portfolio*. A row that exists
  without an external id but with the same code is adopted (its external id is filled in);
  one with the same code and a different external id is a conflict, reported on the row.
  Rows of the database that the file does not mention are left alone, never deleted.
- Only mapped fields are written: re-importing a file without a cost column leaves budgets
  alone.
- The same project code twice in one portfolio is an error naming both rows; the same
  programme or portfolio code with two different names is an error naming both rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import ForeignKey, Model, Q

from portfolio.imports.cleaning import ImportRow, RowIssue, clean_rows, in_row_order
from portfolio.imports.columns import mapping_refusal
from portfolio.imports.models import ImportJob
from portfolio.imports.options import options_of, parse_job_file
from portfolio.imports.reading import FileProblem, ParsedFile
from programmes.models import Portfolio, Programme
from projects.models import Project

PREVIEW_ROWS = 50


# -- Checks across rows --------------------------------------------------------------------


class _EarlierRows:
    """What the rows read so far said: where each project was, and each code's name."""

    def __init__(self) -> None:
        self.project_rows: dict[tuple[str, str], int] = {}
        self.portfolio_keys: dict[str, tuple[str, int]] = {}
        self.portfolio_names: dict[str, tuple[str, int]] = {}
        self.programme_names: dict[tuple[str, str], tuple[str, int]] = {}

    def clashes(self, row: ImportRow) -> list[tuple[str, str]]:
        """(target key, message) for each way the row contradicts an earlier one."""
        found = (
            self._repeated_project(row),
            self._shared_portfolio_code(row),
            self._other_portfolio_name(row),
            self._other_programme_name(row),
        )
        return [clash for clash in found if clash is not None]

    def keep(self, row: ImportRow) -> None:
        self.project_rows.setdefault((row.portfolio_key, row.project_key), row.number)

    def fill_names(self, row: ImportRow) -> None:
        """A name given on a later row counts for the rows that left it blank."""
        if not row.portfolio_name and row.portfolio_key in self.portfolio_names:
            row.portfolio_name = self.portfolio_names[row.portfolio_key][0]
        key = (row.portfolio_key, row.programme_key)
        if row.programme_key and not row.programme_name and key in self.programme_names:
            row.programme_name = self.programme_names[key][0]

    def _repeated_project(self, row: ImportRow) -> tuple[str, str] | None:
        first = self.project_rows.get((row.portfolio_key, row.project_key))
        if first is None:
            return None
        return (
            "project_code",
            f"{row.project_key!r} appears on rows {first} and {row.number}; "
            "a project must appear once per portfolio.",
        )

    def _shared_portfolio_code(self, row: ImportRow) -> tuple[str, str] | None:
        key, seen = self.portfolio_keys.setdefault(
            row.portfolio_code, (row.portfolio_key, row.number)
        )
        if key == row.portfolio_key:
            return None
        return (
            "portfolio_code",
            f"{row.portfolio_key!r} and {key!r} (row {seen}) both give "
            f"the portfolio code {row.portfolio_code!r}.",
        )

    def _other_portfolio_name(self, row: ImportRow) -> tuple[str, str] | None:
        if not row.portfolio_name:
            return None
        name, seen = self.portfolio_names.setdefault(
            row.portfolio_key, (row.portfolio_name, row.number)
        )
        if name == row.portfolio_name:
            return None
        return (
            "portfolio_name",
            f"portfolio {row.portfolio_key!r} is named {row.portfolio_name!r} here but "
            f"{name!r} on row {seen}.",
        )

    def _other_programme_name(self, row: ImportRow) -> tuple[str, str] | None:
        if not (row.programme_key and row.programme_name):
            return None
        name, seen = self.programme_names.setdefault(
            (row.portfolio_key, row.programme_key), (row.programme_name, row.number)
        )
        if name == row.programme_name:
            return None
        return (
            "programme_name",
            f"programme {row.programme_key!r} is named {row.programme_name!r} here but "
            f"{name!r} on row {seen}.",
        )


def check_across_rows(
    rows: list[ImportRow], columns: dict[str, str]
) -> tuple[list[ImportRow], list[RowIssue]]:
    """One row per project in a portfolio; one name per portfolio and programme code.

    A row that contradicts an earlier one is left out with an error naming both rows; the
    names of the kept rows are completed from one another.
    """
    earlier = _EarlierRows()
    kept: list[ImportRow] = []
    errors: list[RowIssue] = []
    for row in rows:
        clashes = earlier.clashes(row)
        errors += [RowIssue.on(row.number, key, columns, message) for key, message in clashes]
        if not clashes:
            earlier.keep(row)
            kept.append(row)
    for row in kept:
        earlier.fill_names(row)
    return kept, errors


# -- Matching with the database ------------------------------------------------------------


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class _Level:
    """New and changed objects of one model, and how many were left alone."""

    new: list[Any] = field(default_factory=list)
    changed: list[Any] = field(default_factory=list)
    unchanged: int = 0
    # Only these go into bulk_update's CASE expressions: each costs a pass over the batch.
    changed_fields: set[str] = field(default_factory=set)

    def outcome(self) -> Outcome:
        return Outcome(len(self.new), len(self.changed), self.unchanged)

    def record(self, obj: Model, values: dict[str, Any], *, is_new: bool) -> str:
        """Set values on obj and file it as created, updated or unchanged."""
        changed = False
        for name, value in values.items():
            model_field = obj._meta.get_field(name)
            if isinstance(model_field, ForeignKey):
                # Compare keys, not objects: reading obj.programme would cost a query a row.
                # An unsaved target (a programme this import creates) is always a change.
                different = value is not None and value.pk is None
                different |= getattr(obj, model_field.attname) != (value.pk if value else None)
            else:
                different = getattr(obj, name) != value
            if different:
                setattr(obj, name, value)
                changed = True
                if not is_new:
                    self.changed_fields.add(name)
        if is_new:
            self.new.append(obj)
            return "created"
        if changed:
            self.changed.append(obj)
            return "updated"
        self.unchanged += 1
        return "unchanged"


@dataclass
class Plan:
    rows: list[ImportRow]
    errors: list[RowIssue]
    warnings: list[RowIssue]
    columns: dict[str, str]
    portfolios: _Level = field(default_factory=_Level)
    programmes: _Level = field(default_factory=_Level)
    projects: _Level = field(default_factory=_Level)
    portfolio_fields: list[str] = field(default_factory=list)
    programme_fields: list[str] = field(default_factory=list)
    project_fields: list[str] = field(default_factory=list)

    @property
    def can_commit(self) -> bool:
        return not self.errors and bool(self.rows)

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            "portfolios": self.portfolios.outcome().as_dict(),
            "programmes": self.programmes.outcome().as_dict(),
            "projects": self.projects.outcome().as_dict(),
        }


class _Index:
    """Existing rows of one model by external id and by code, within one scope."""

    def __init__(self, objs: Iterable[Any], scope: Callable[[Any], Any]) -> None:
        self.by_external: dict[tuple[Any, str], list[Any]] = defaultdict(list)
        self.by_code: dict[tuple[Any, str], Any] = {}
        for obj in objs:
            self.by_code[(scope(obj), obj.code)] = obj
            if obj.external_id:
                self.by_external[(scope(obj), obj.external_id)].append(obj)

    def match(self, scope: Any, external_id: str, code: str) -> tuple[Any, str]:
        """(the object or None, a conflict message or "")."""
        matches = self.by_external.get((scope, external_id), [])
        if len(matches) > 1:
            return None, (
                f"{len(matches)} rows already carry the external id {external_id!r}; "
                "merge them before importing."
            )
        if matches:
            return matches[0], ""
        same_code = self.by_code.get((scope, code))
        if same_code is not None and same_code.external_id not in ("", external_id):
            return None, (
                f"the code {code!r} is already used by {same_code.name!r}, which comes "
                f"from external id {same_code.external_id!r}."
            )
        return same_code, ""  # an object found by code is adopted: its external id is set


def plan_import(
    rows: list[ImportRow],
    columns: dict[str, str],
    errors: list[RowIssue] | None = None,
    warnings: list[RowIssue] | None = None,
) -> Plan:
    """Check the rows against each other, match them with the database and decide each
    object's fate; writes nothing.

    1. Rows that contradict an earlier row are left out (`check_across_rows`).
    2. Portfolios by external id, else by code (adopted when it has no external id).
    3. Programmes, then projects, the same way within their portfolio.
    4. A match by code that carries another external id is a conflict on the row.
    5. Each project's final dates are checked against the database's constraints.
    """
    rows, clashes = check_across_rows(rows, columns)
    plan = Plan(
        rows=[], errors=[*(errors or []), *clashes], warnings=list(warnings or []), columns=columns
    )
    plan.portfolio_fields = ["external_id"] + (["name"] if columns.get("portfolio_name") else [])
    plan.programme_fields = ["external_id"] + (["name"] if columns.get("programme_name") else [])
    plan.project_fields = _project_fields(columns)
    conflicts: list[RowIssue] = []
    portfolios = _plan_portfolios(plan, rows, conflicts)
    programmes = _plan_programmes(plan, rows, portfolios, conflicts)
    existing_pks = [p.pk for p in portfolios.values() if p.pk]
    projects = _Index(Project.objects.filter(portfolio_id__in=existing_pks), _portfolio_id)
    for row in rows:
        _plan_project(plan, row, portfolios, programmes, projects, conflicts)
    plan.errors = in_row_order(plan.errors + conflicts)
    return plan


def _portfolio_id(obj: Programme | Project) -> int:
    return obj.portfolio_id


def _project_fields(columns: dict[str, str]) -> list[str]:
    fields = ["external_id", "name", "baseline_start", "baseline_finish"]
    optional = {
        "programme_code": "programme",
        "delay_days": "forecast_finish",
        "planned_cost": "budget",
        "cost_variance": "forecast_at_completion",
    }
    return fields + [name for key, name in optional.items() if columns.get(key)]


def _first_rows(rows: Iterable[ImportRow], key: Callable[[ImportRow], Any]) -> dict[Any, ImportRow]:
    firsts: dict[Any, ImportRow] = {}
    for row in rows:
        firsts.setdefault(key(row), row)
    return firsts


def _plan_portfolios(
    plan: Plan, rows: list[ImportRow], conflicts: list[RowIssue]
) -> dict[str, Portfolio]:
    firsts = _first_rows(rows, lambda row: row.portfolio_key)
    codes = [row.portfolio_code for row in firsts.values()]
    existing = Portfolio.objects.filter(Q(external_id__in=list(firsts)) | Q(code__in=codes))
    index = _Index(existing, lambda _: None)
    resolved: dict[str, Portfolio] = {}
    for key, row in firsts.items():
        portfolio, conflict = index.match(None, key, row.portfolio_code)
        if conflict:
            message = f"Portfolio: {conflict}"
            conflicts.append(RowIssue.on(row.number, "portfolio_code", plan.columns, message))
            continue
        is_new = portfolio is None
        if portfolio is None:
            portfolio = Portfolio(code=row.portfolio_code, name=row.portfolio_name or key)
        values: dict[str, Any] = {"external_id": key}
        if "name" in plan.portfolio_fields and row.portfolio_name:
            values["name"] = row.portfolio_name
        plan.portfolios.record(portfolio, values, is_new=is_new)
        resolved[key] = portfolio
    return resolved


def _plan_programmes(
    plan: Plan,
    rows: list[ImportRow],
    portfolios: dict[str, Portfolio],
    conflicts: list[RowIssue],
) -> dict[tuple[str, str], Programme]:
    firsts = _first_rows(
        (row for row in rows if row.programme_key and row.portfolio_key in portfolios),
        lambda row: (row.portfolio_key, row.programme_key),
    )
    existing_pks = [p.pk for p in portfolios.values() if p.pk]
    index = _Index(Programme.objects.filter(portfolio_id__in=existing_pks), _portfolio_id)
    resolved: dict[tuple[str, str], Programme] = {}
    for (portfolio_key, programme_key), row in firsts.items():
        portfolio = portfolios[portfolio_key]
        programme, conflict = index.match(portfolio.pk, programme_key, programme_key)
        if conflict:
            message = f"Programme: {conflict}"
            conflicts.append(RowIssue.on(row.number, "programme_code", plan.columns, message))
            continue
        is_new = programme is None
        if programme is None:
            programme = Programme(
                portfolio=portfolio, code=programme_key, name=row.programme_name or programme_key
            )
        values: dict[str, Any] = {"external_id": programme_key}
        if "name" in plan.programme_fields and row.programme_name:
            values["name"] = row.programme_name
        plan.programmes.record(programme, values, is_new=is_new)
        resolved[(portfolio_key, programme_key)] = programme
    return resolved


def _plan_project(
    plan: Plan,
    row: ImportRow,
    portfolios: dict[str, Portfolio],
    programmes: dict[tuple[str, str], Programme],
    index: _Index,
    conflicts: list[RowIssue],
) -> None:
    portfolio = portfolios.get(row.portfolio_key)
    programme = programmes.get((row.portfolio_key, row.programme_key))
    if portfolio is None or (row.programme_key and programme is None):
        return  # its portfolio or programme is in conflict, reported on that one's first row
    project, conflict = index.match(portfolio.pk, row.project_key, row.project_key)
    if conflict:
        message = f"Project: {conflict}"
        conflicts.append(RowIssue.on(row.number, "project_code", plan.columns, message))
        return
    values: dict[str, Any] = {
        "external_id": row.project_key,
        "name": row.project_name,
        "baseline_start": row.baseline_start,
        "baseline_finish": row.baseline_finish,
        "programme": programme,
        "forecast_finish": row.forecast_finish,
        "budget": row.budget,
        "forecast_at_completion": row.forecast_at_completion,
    }
    values = {name: value for name, value in values.items() if name in plan.project_fields}
    is_new = project is None
    if project is None:
        project = Project(portfolio=portfolio, code=row.project_key)
    # A forecast the file does not own stays; it must still not fall before the new start.
    forecast = values.get("forecast_finish", project.forecast_finish)
    if forecast is not None and forecast < row.baseline_start:
        conflicts.append(
            RowIssue.on(
                row.number,
                "start_date",
                plan.columns,
                f"the project's forecast finish {forecast} would fall before this start date.",
            )
        )
        return
    row.action = plan.projects.record(project, values, is_new=is_new)
    plan.rows.append(row)


# -- The dry run of a job ------------------------------------------------------------------


@dataclass
class DryRun:
    parsed: ParsedFile | None
    plan: Plan | None
    problem: str = ""

    @property
    def can_commit(self) -> bool:
        return self.plan is not None and self.plan.can_commit


def import_dry_run(job: ImportJob) -> DryRun:
    """Everything the commit would do, short of writing: counts, rows and errors."""
    try:
        parsed = parse_job_file(job)
    except FileProblem as exc:
        return DryRun(None, None, str(exc))
    refusal = mapping_refusal(job.columns, parsed.headers)
    if refusal:
        return DryRun(parsed, None, refusal)
    rows, errors, warnings = clean_rows(parsed, job.columns, job.cost_unit, options_of(job))
    return DryRun(parsed, plan_import(rows, job.columns, errors, warnings))
