"""Stage 4, planning: the dry run. Cleaned rows -> a `Plan` of what the commit would do.

The rows are checked against each other (one row per project in a portfolio, one name per
portfolio and programme code), then matched with the database: each portfolio, programme
and project is to be created, updated or left alone, and a row that clashes with what
exists is an error. Nothing is written; the preview shows the plan's counts, rows and
errors, and `services` hands an error-free plan to `apply_plan`.

- Identity. Codes are matched regardless of letter case (returns change it from year to
  year); within one file the first spelling of a code stands for all of them. Portfolios
  are matched on `external_id` (the portfolio code as in the file), programmes and
  projects on `external_id` *within their portfolio*, or for projects in any portfolio when
  the PMO asks (`ImportOptions.across_portfolios`: the project moves, with its history). A
  row that exists without an external id but with the same code is adopted (its external
  id is filled in); one with the same code and a different external id is a conflict,
  reported on the row. A row without a project code is matched by the project's name, and
  so is a coded row whose project an earlier code-less import created; the preview says
  "matched by name". Rows of the database that the file does not mention are left alone,
  unless the PMO asks to close the projects a later return no longer lists.
- A return: each row with a rating becomes a submitted status report for its reporting
  date (the file's, or the row's column), its ratings put on its portfolio's scale.
- Only mapped fields are written: re-importing a file without a cost column leaves budgets
  alone.
- The same project code twice in one portfolio is an error naming both rows; the same
  programme or portfolio code with two different names is an error naming both rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import ForeignKey, Model, Q
from django.db.models.functions import Lower

from portfolio.core.periods import Period
from portfolio.imports.cleaning import ImportRow, RowIssue, clean_rows, in_row_order
from portfolio.imports.columns import mapping_refusal
from portfolio.imports.details import PERSON_TARGETS
from portfolio.imports.models import ImportJob
from portfolio.imports.options import (
    ImportOptions,
    OptionsProblem,
    parse_job_file,
    reading_options_of,
)
from portfolio.imports.ratings import rating_on_scale
from portfolio.imports.reading import FileProblem, ParsedFile
from programmes.models import Person, Portfolio, Programme
from projects.models import RATED, Project, StatusReport

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
        self.project_rows.setdefault((row.portfolio_key, row.identity), row.number)

    def fill_names(self, row: ImportRow) -> None:
        """A name given on a later row counts for the rows that left it blank."""
        if not row.portfolio_name and row.portfolio_key in self.portfolio_names:
            row.portfolio_name = self.portfolio_names[row.portfolio_key][0]
        key = (row.portfolio_key, row.programme_key)
        if row.programme_key and not row.programme_name and key in self.programme_names:
            row.programme_name = self.programme_names[key][0]

    def _repeated_project(self, row: ImportRow) -> tuple[str, str] | None:
        first = self.project_rows.get((row.portfolio_key, row.identity))
        if first is None:
            return None
        return (
            "project_code" if row.project_key else "project_name",
            f"{row.project_key or row.project_name!r} appears on rows {first} and "
            f"{row.number}; a project must appear once per portfolio.",
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
    _first_spellings(rows)
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


def _first_spellings(rows: list[ImportRow]) -> None:
    """Codes in any letter case are one code: the first spelling in the file stands."""
    portfolios: dict[str, str] = {}
    programmes: dict[tuple[str, str], str] = {}
    for row in rows:
        row.portfolio_key = portfolios.setdefault(row.portfolio_key.lower(), row.portfolio_key)
        if row.programme_key:
            key = (row.portfolio_key, row.programme_key.lower())
            row.programme_key = programmes.setdefault(key, row.programme_key)


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


@dataclass(frozen=True)
class PlannedReport:
    """A row of a return as the submitted status report it becomes."""

    row: ImportRow
    project: Project
    period: Period
    reported_on: date
    values: dict[str, Any]
    replaces: bool  # an earlier import of this return recorded one for the project


@dataclass
class Plan:
    rows: list[ImportRow]
    errors: list[RowIssue]
    warnings: list[RowIssue]
    columns: dict[str, str]
    options: ImportOptions = field(default_factory=ImportOptions)
    period: date | None = None
    portfolios: _Level = field(default_factory=_Level)
    programmes: _Level = field(default_factory=_Level)
    projects: _Level = field(default_factory=_Level)
    portfolio_fields: list[str] = field(default_factory=list)
    programme_fields: list[str] = field(default_factory=list)
    project_fields: list[str] = field(default_factory=list)
    reports: list[PlannedReport] = field(default_factory=list)
    to_close: list[Project] = field(default_factory=list)
    matched: dict[int, Project] = field(default_factory=dict)  # row number -> its project
    # Where moved projects came from: their old programmes and portfolios need health too.
    left_programmes: set[int] = field(default_factory=set)
    left_portfolios: set[int] = field(default_factory=set)

    @property
    def can_commit(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def can_commit_partly(self) -> bool:
        """Valid rows to import while leaving out the rejected ones (partial mode)."""
        return bool(self.rows) and not any(issue.row == 0 for issue in self.errors)

    @property
    def rejected_rows(self) -> set[int]:
        return {issue.row for issue in self.errors if issue.row}

    def counts(self) -> dict[str, dict[str, int]]:
        replaced = sum(report.replaces for report in self.reports)
        counts = {
            "portfolios": self.portfolios.outcome().as_dict(),
            "programmes": self.programmes.outcome().as_dict(),
            "projects": self.projects.outcome().as_dict(),
        }
        if self.reports:  # a return: its rated rows become status reports
            counts["reports"] = Outcome(len(self.reports) - replaced, replaced, 0).as_dict()
        if self.to_close:
            counts["projects"]["closed"] = len(self.to_close)
        return counts


def _lower(value: str) -> str:
    return value.lower()


class _Index:
    """Existing rows of one model by external id and by code, within one scope, in any
    letter case."""

    def __init__(self, objs: Iterable[Any], scope: Callable[[Any], Any]) -> None:
        self.by_external: dict[tuple[Any, str], list[Any]] = defaultdict(list)
        self.by_code: dict[tuple[Any, str], Any] = {}
        for obj in objs:
            self.by_code[(scope(obj), _lower(obj.code))] = obj
            if obj.external_id:
                self.by_external[(scope(obj), _lower(obj.external_id))].append(obj)

    def match(self, scope: Any, external_id: str, code: str) -> tuple[Any, str]:
        """(the object or None, a conflict message or "")."""
        matches = self.by_external.get((scope, _lower(external_id)), [])
        if len(matches) > 1:
            return None, (
                f"{len(matches)} rows already carry the external id {external_id!r}; "
                "merge them before importing."
            )
        if matches:
            return matches[0], ""
        same_code = self.by_code.get((scope, _lower(code)))
        if same_code is not None and _lower(same_code.external_id) not in ("", _lower(external_id)):
            return None, (
                f"the code {code!r} is already used by {same_code.name!r}, which comes "
                f"from external id {same_code.external_id!r}."
            )
        return same_code, ""  # an object found by code is adopted: its external id is set


class _ProjectIndex:
    """Existing projects by external id, code and name, in any letter case; in their own
    portfolio, or in any when the PMO matches across portfolios."""

    def __init__(self, projects: Iterable[Project], across: bool) -> None:
        self.across = across
        self.by_external: dict[str, list[Project]] = defaultdict(list)
        self.by_code: dict[tuple[int, str], Project] = {}
        self.by_name: dict[str, list[Project]] = defaultdict(list)
        self.codes: dict[Any, set[str]] = defaultdict(set)  # portfolio pk -> codes taken
        for project in projects:
            self.codes[project.portfolio_id].add(_lower(project.code))
            self.by_code[(project.portfolio_id, _lower(project.code))] = project
            self.by_name[_lower(project.name)].append(project)
            if project.external_id:
                self.by_external[_lower(project.external_id)].append(project)

    def _scoped(self, found: list[Project], portfolio_pk: int | None) -> list[Project]:
        here = [p for p in found if p.portfolio_id == portfolio_pk]
        return here or (found if self.across else [])

    def match(self, row: ImportRow, portfolio_pk: int | None) -> tuple[Project | None, str]:
        """(the project or None, a conflict message or ""); sets `row.matched_by`.

        1. By external id in the row's portfolio, 2. by code there (adopted when it came
        from no file), 3. by external id in another portfolio (when matching across),
        4. by name (`_by_name`).
        """
        if not row.project_key:
            return self._by_name(row, portfolio_pk)
        by_external = self.by_external.get(_lower(row.project_key), [])
        here = [p for p in by_external if p.portfolio_id == portfolio_pk]
        same_code = self.by_code.get((portfolio_pk or 0, _lower(row.project_key)))
        if not here and same_code is not None:
            if same_code.external_id:
                return None, (
                    f"the code {row.project_key!r} is already used by {same_code.name!r}, "
                    f"which comes from external id {same_code.external_id!r}."
                )
            return same_code, ""
        found = self._scoped(by_external, portfolio_pk)
        if len(found) > 1:
            return None, (
                f"{len(found)} projects already carry the external id "
                f"{row.project_key!r}; merge them before importing."
            )
        if found:
            return found[0], ""
        return self._by_name(row, portfolio_pk)

    def _by_name(self, row: ImportRow, portfolio_pk: int | None) -> tuple[Project | None, str]:
        # A coded row only adopts a project that has no code from a file (an earlier return
        # without codes); a row without a code takes any project of that name.
        found = [
            p
            for p in self._scoped(self.by_name.get(_lower(row.project_name), []), portfolio_pk)
            if not (row.project_key and p.external_id)
        ]
        if len(found) > 1:
            return None, (
                f"{len(found)} projects are named {row.project_name!r}; give the rows a "
                "project code to tell them apart."
            )
        if found:
            row.matched_by = "name"
            return found[0], ""
        return None, ""

    def new_code(self, row: ImportRow, portfolio: Portfolio) -> str:
        """The file's code, or one made from the name when the file has none; unique in
        the portfolio."""
        taken = self.codes[portfolio.pk or id(portfolio)]
        base = row.project_key or (
            re.sub(r"[^A-Za-z0-9]+", "-", row.project_name).strip("-")[:58] or "project"
        )
        code, number = base, 1
        while _lower(code) in taken:
            number += 1
            code = f"{base}-{number}"
        taken.add(_lower(code))
        return code


class _People:
    """People by email and by name, any letter case, for the sponsor and manager columns."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[Person]] = defaultdict(list)
        for person in Person.objects.only("pk", "name", "email"):
            self.by_key[_lower(person.name)].append(person)
            if person.email:
                self.by_key[_lower(person.email)].append(person)

    def resolve(self, plan: Plan, row: ImportRow, key: str) -> Person | None:
        written = row.details.people.get(key, "")
        if not written:
            return None
        found = self.by_key.get(_lower(written), [])
        if len(found) == 1:
            return found[0]
        message = (
            f"{len(found)} people match {written!r}; write their email to choose one."
            if found
            else f"no person is named {written!r} or has that email; left empty."
        )
        plan.warnings.append(RowIssue.on(row.number, key, plan.columns, message))
        return None


def plan_import(
    rows: list[ImportRow],
    columns: dict[str, str],
    errors: list[RowIssue] | None = None,
    warnings: list[RowIssue] | None = None,
    *,
    options: ImportOptions | None = None,
    period: date | None = None,
) -> Plan:
    """Check the rows against each other, match them with the database and decide each
    object's fate; writes nothing.

    1. Rows that contradict an earlier row are left out (`check_across_rows`).
    2. Portfolios by external id, else by code (adopted when it has no external id).
    3. Programmes, then projects, the same way within their portfolio (projects across
       portfolios when asked, by name when the row has no code).
    4. A match by code that carries another external id is a conflict on the row.
    5. Each project's final dates are checked against the database's constraints.
    6. Rows with ratings become status reports for their period; the projects the file no
       longer lists are closed when asked.
    """
    rows, clashes = check_across_rows(rows, columns)
    plan = Plan(
        rows=[],
        errors=[*(errors or []), *clashes],
        warnings=list(warnings or []),
        columns=columns,
        options=options or ImportOptions(),
        period=period,
    )
    plan.portfolio_fields = ["external_id"] + (["name"] if columns.get("portfolio_name") else [])
    plan.programme_fields = ["external_id"] + (["name"] if columns.get("programme_name") else [])
    plan.project_fields = _project_fields(columns)
    conflicts: list[RowIssue] = []
    portfolios = _plan_portfolios(plan, rows, conflicts)
    people = _People() if any(columns.get(key) for key in PERSON_TARGETS) else None
    programmes = _plan_programmes(plan, rows, portfolios, conflicts, people)
    projects = _ProjectIndex(
        _existing_projects(rows, portfolios, plan.options), plan.options.across_portfolios
    )
    for row in rows:
        _plan_project(plan, row, portfolios, programmes, projects, conflicts, people)
    _plan_reports(plan, portfolios)
    plan.errors = in_row_order(plan.errors + conflicts)
    # A rejected row's project is not known, so it cannot be told from a dropped one.
    if plan.options.close_missing and not plan.errors:
        _plan_closures(plan, portfolios)
    return plan


def _existing_projects(
    rows: list[ImportRow], portfolios: dict[str, Portfolio], options: ImportOptions
) -> Iterable[Project]:
    existing_pks = [p.pk for p in portfolios.values() if p.pk]
    where = Q(portfolio_id__in=existing_pks)
    if options.across_portfolios:
        keys = {_lower(row.project_key) for row in rows if row.project_key}
        names = {_lower(row.project_name) for row in rows}
        where |= Q(low_external__in=keys) | Q(low_name__in=names)
    return Project.objects.annotate(
        low_external=Lower("external_id"), low_name=Lower("name")
    ).filter(where)


def _portfolio_id(obj: Programme | Project) -> int:
    return obj.portfolio_id


def _project_fields(columns: dict[str, str]) -> list[str]:
    fields = ["external_id", "name", "baseline_finish"]
    optional = {
        # Without a start column a new project's start is unknown and a known one stays.
        "start_date": "baseline_start",
        "programme_code": "programme",
        "delay_days": "forecast_finish",
        "forecast_finish": "forecast_finish",
        "planned_cost": "budget",
        "cost_variance": "forecast_at_completion",
        "forecast_at_completion": "forecast_at_completion",
    }
    return fields + list(dict.fromkeys(name for key, name in optional.items() if columns.get(key)))


def _first_rows(rows: Iterable[ImportRow], key: Callable[[ImportRow], Any]) -> dict[Any, ImportRow]:
    firsts: dict[Any, ImportRow] = {}
    for row in rows:
        firsts.setdefault(key(row), row)
    return firsts


def _plan_portfolios(
    plan: Plan, rows: list[ImportRow], conflicts: list[RowIssue]
) -> dict[str, Portfolio]:
    firsts = _first_rows(rows, lambda row: row.portfolio_key)
    keys = [_lower(key) for key in firsts]
    codes = [_lower(row.portfolio_code) for row in firsts.values()]
    existing = Portfolio.objects.annotate(
        low_external=Lower("external_id"), low_code=Lower("code")
    ).filter(Q(low_external__in=keys) | Q(low_code__in=codes))
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
            portfolio = Portfolio(
                code=row.portfolio_code,
                name=row.portfolio_name or key,
                rating_scale=plan.options.rating_scale,
            )
        values: dict[str, Any] = {"external_id": key, **row.details.portfolio}
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
    people: _People | None,
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
        values: dict[str, Any] = {"external_id": programme_key, **row.details.programme}
        if "name" in plan.programme_fields and row.programme_name:
            values["name"] = row.programme_name
        manager = people.resolve(plan, row, "programme_manager") if people else None
        if manager is not None:
            values["manager"] = manager
        plan.programmes.record(programme, values, is_new=is_new)
        resolved[(portfolio_key, programme_key)] = programme
    return resolved


def _project_values(
    plan: Plan,
    row: ImportRow,
    programme: Programme | None,
    people: _People | None,
) -> dict[str, Any]:
    """The fields the file owns, as this row gives them."""
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
    if not row.project_key:
        del values["external_id"]  # a project matched by name keeps the code it has
    values.update(row.details.project)
    for key in ("sponsor", "manager"):
        person = people.resolve(plan, row, key) if people else None
        if person is not None:
            values[key] = person
    return values


def _plan_project(
    plan: Plan,
    row: ImportRow,
    portfolios: dict[str, Portfolio],
    programmes: dict[tuple[str, str], Programme],
    index: _ProjectIndex,
    conflicts: list[RowIssue],
    people: _People | None,
) -> None:
    portfolio = portfolios.get(row.portfolio_key)
    programme = programmes.get((row.portfolio_key, row.programme_key))
    if portfolio is None or (row.programme_key and programme is None):
        return  # its portfolio or programme is in conflict, reported on that one's first row
    project, conflict = index.match(row, portfolio.pk)
    if conflict:
        message = f"Project: {conflict}"
        conflicts.append(RowIssue.on(row.number, "project_code", plan.columns, message))
        return
    values = _project_values(plan, row, programme, people)
    is_new = project is None
    if project is None:
        project = Project(portfolio=portfolio, code=index.new_code(row, portfolio))
    elif project.portfolio_id != portfolio.pk:
        plan.left_portfolios.add(project.portfolio_id)
        if project.programme_id is not None:
            plan.left_programmes.add(project.programme_id)
        conflict = _move(project, portfolio, programme, values, index)
        if conflict:
            conflicts.append(RowIssue.on(row.number, "portfolio_code", plan.columns, conflict))
            return
    if message := _before_start(project, values):
        conflicts.append(RowIssue.on(row.number, "start_date", plan.columns, message))
        return
    row.action = plan.projects.record(project, values, is_new=is_new)
    plan.matched[row.number] = project
    plan.rows.append(row)


def _before_start(project: Project, values: dict[str, Any]) -> str:
    """Why the row's dates would fall before the project's start, if so. A start or forecast
    the file does not own stays as it is, and must still hold against what the file gives."""
    start = values.get("baseline_start", project.baseline_start)
    if start is None:
        return ""
    finish = values.get("baseline_finish", project.baseline_finish)
    if finish is not None and finish < start:
        return f"the finish {finish} would fall before the project's start date {start}."
    forecast = values.get("forecast_finish", project.forecast_finish)
    if forecast is not None and forecast < start:
        return f"the project's forecast finish {forecast} would fall before this start date."
    return ""


def _move(
    project: Project,
    portfolio: Portfolio,
    programme: Programme | None,
    values: dict[str, Any],
    index: _ProjectIndex,
) -> str:
    """Move a project found in another portfolio to the row's (with its programme, or
    standalone); a message when its code is taken there."""
    taken = index.codes[portfolio.pk or id(portfolio)]
    if _lower(project.code) in taken:
        return (
            f"project {project.code!r} moves here from another portfolio, but this portfolio "
            "already has a project with that code."
        )
    taken.add(_lower(project.code))
    values["portfolio"] = portfolio
    values["programme"] = programme
    return ""


def _plan_reports(plan: Plan, portfolios: dict[str, Portfolio]) -> None:
    """Rows with a rating -> submitted status reports for their period."""
    rated = [row for row in plan.rows if row.details.ratings]
    if not rated:
        return
    if plan.period is None and not plan.columns.get("reporting_date"):
        plan.errors.append(
            RowIssue(
                0,
                "Reporting date",
                "",
                "The file has ratings: give its reporting date, or map a reporting-date "
                "column, so that each rating is recorded for its period.",
            )
        )
        return
    earlier = _imported_reports(plan, rated)
    for row in rated:
        reported_on = row.details.reporting_date or plan.period
        if reported_on is None:
            plan.errors.append(RowIssue.on(row.number, "reporting_date", plan.columns, "is empty."))
            continue
        project = plan.matched[row.number]
        scale = portfolios[row.portfolio_key].rating_scale  # where the row puts the project
        values = dict(row.details.report)
        for name in RATED:
            if name in values:
                values[name] = rating_on_scale(values[name], scale).value
        period = Period.containing(reported_on)
        replaces = (project.pk, period.start) in earlier
        plan.reports.append(PlannedReport(row, project, period, reported_on, values, replaces))


def _imported_reports(plan: Plan, rows: list[ImportRow]) -> set[tuple[int, date]]:
    """(project id, period start) of the reports an earlier import of these periods left."""
    ids = [plan.matched[row.number].pk for row in rows if plan.matched[row.number].pk]
    starts = {
        Period.containing(day).start
        for day in {row.details.reporting_date or plan.period for row in rows}
        if day is not None
    }
    if not ids:
        return set()
    return set(
        StatusReport.objects.filter(
            source=StatusReport.Source.IMPORT, project_id__in=ids, period_start__in=starts
        ).values_list("project_id", "period_start")
    )


def _plan_closures(plan: Plan, portfolios: dict[str, Portfolio]) -> None:
    """The projects of these portfolios that came from a file and this one leaves out."""
    listed = {project.pk for project in plan.matched.values() if project.pk}
    existing_pks = [p.pk for p in portfolios.values() if p.pk]
    plan.to_close = list(
        Project.objects.filter(portfolio_id__in=existing_pks)
        .exclude(external_id="")
        .exclude(stage=Project.Stage.CLOSED)
        .exclude(pk__in=listed)
    )


# -- The dry run of a job ------------------------------------------------------------------


@dataclass
class DryRun:
    parsed: ParsedFile | None
    plan: Plan | None
    problem: str = ""

    @property
    def can_commit(self) -> bool:
        return self.plan is not None and self.plan.can_commit

    @property
    def can_commit_partly(self) -> bool:
        return self.plan is not None and self.plan.can_commit_partly


def import_dry_run(job: ImportJob) -> DryRun:
    """Everything the commit would do, short of writing: counts, rows and errors."""
    try:
        parsed = parse_job_file(job)
    except FileProblem as exc:
        return DryRun(None, None, str(exc))
    refusal = mapping_refusal(job.columns, parsed.headers)
    if refusal:
        return DryRun(parsed, None, refusal)
    try:
        options = ImportOptions.from_json(job.options)
    except OptionsProblem as exc:
        return DryRun(parsed, None, str(exc))
    rows, errors, warnings = clean_rows(parsed, job.columns, job.cost_unit, reading_options_of(job))
    plan = plan_import(rows, job.columns, errors, warnings, options=options, period=job.period)
    return DryRun(parsed, plan)
