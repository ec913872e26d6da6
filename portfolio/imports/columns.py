"""Stage 2, columns: which column of the file feeds which field.

`TARGETS` are the fields a column can feed, with the header names that usually hold them;
a file's headers are matched to them (`guess_columns`), or a saved mapping is applied
(`columns_for`), and `mapping_problems` says why a mapping cannot be used. The mapping
(target key -> column header) and the reading options (`options`: cost unit, date and money
conventions, placeholder words, extra columns per field) go on to `cleaning`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from portfolio.imports.models import ImportJob, ImportMapping
from portfolio.imports.options import ReadingOptions, reading_options_of
from portfolio.imports.reading import ParsedFile
from portfolio.imports.values import guess_date_convention, guess_money_locale


@dataclass(frozen=True)
class Target:
    """A field the importer can fill, and the header names that usually hold it."""

    key: str
    label: str
    required: bool
    aliases: tuple[str, ...]
    help_text: str = ""


TARGETS: tuple[Target, ...] = (
    Target(
        "portfolio_code",
        "Portfolio code",
        True,
        (
            "agencycode",
            "portfoliocode",
            "portfolioid",
            "agencyid",
            "portfolio",
            "departmentcode",
            "deptcode",
        ),
        "Identifies the portfolio (a department, agency or directorate) from one import "
        "to the next.",
    ),
    Target(
        "portfolio_name",
        "Portfolio name",
        False,
        ("agencyname", "portfolioname", "agency", "departmentname", "department", "dept"),
    ),
    Target(
        "programme_code",
        "Programme code",
        False,
        (
            "uniqueinvestmentidentifier",
            "investmentid",
            "programmecode",
            "programcode",
            "programmeid",
            "programid",
        ),
        "Leave empty for standalone projects.",
    ),
    Target(
        "programme_name",
        "Programme name",
        False,
        (
            "investmenttitle",
            "investmentname",
            "programmename",
            "programname",
            "programme",
            "program",
        ),
    ),
    Target(
        "project_code",
        "Project code (external id)",
        False,
        ("projectid", "projectcode", "externalid", "projectreference", "projectref", "id", "code"),
        "Identifies the project from one import to the next: a code, reference or id, in any "
        "letter case; without it, projects are matched by name.",
    ),
    Target("project_name", "Project name", True, ("projectname", "project", "name", "title")),
    Target(
        "start_date",
        "Start date",
        False,
        ("startdate", "baselinestart", "plannedstart", "start", "baselinestartdate"),
        "In the date convention chosen below; Excel date cells are read as dates. A file "
        "without starts (completion dates only) leaves the start unknown.",
    ),
    Target(
        "finish_date",
        "Finish date",
        False,
        (
            "finishdate",
            "enddate",
            "baselinefinish",
            "plannedfinish",
            "finish",
            "end",
            "completiondate",
            "plannedcompletiondate",
            "baselinecompletiondate",
        ),
        "The baseline (planned) finish, in the same date convention; or map the planned "
        "duration instead.",
    ),
    Target(
        "planned_duration",
        "Planned duration (days)",
        False,
        ("plannedduration", "durationdays", "duration"),
        "Finish = start + duration, when there is no finish date.",
    ),
    Target(
        "planned_cost",
        "Planned cost",
        False,
        ("plannedcost", "budget", "plannedbudget", "cost", "baselinebudget", "totalbudget"),
        "The project's budget (its baseline cost), in the money format and unit chosen below.",
    ),
    Target(
        "cost_variance",
        "Cost variance",
        False,
        ("costvariance", "variance"),
        "Budget minus the forecast cost at completion (positive when under budget), in the "
        "budget's unit: the forecast at completion is the budget less this.",
    ),
    Target(
        "delay_days",
        "Delay (days)",
        False,
        ("projectdelay", "delaydays", "delay", "slippagedays", "slippage"),
        "Days the project is forecast to finish after its finish date: forecast finish = "
        "finish + delay. An early finish (negative) is not applied.",
    ),
    # -- Everything else a PMO keeps about a project, its programme and portfolio ----------
    Target("portfolio_description", "Portfolio description", False, ("portfoliodescription",)),
    Target(
        "programme_objective",
        "Programme objective",
        False,
        ("programmeobjective", "programobjective", "strategicobjective"),
    ),
    Target(
        "programme_manager",
        "Programme manager",
        False,
        ("programmemanager", "programmanager", "srofullname"),
        "Matched to a person by name or email; unmatched names are left empty.",
    ),
    Target("objective", "Project objective", False, ("objective", "projectobjective", "purpose")),
    Target("scope", "Project scope", False, ("scope", "projectscope", "description")),
    Target(
        "sponsor",
        "Sponsor",
        False,
        ("sponsor", "projectsponsor", "seniorresponsibleowner", "sro"),
        "Matched to a person by name or email; unmatched names are left empty.",
    ),
    Target(
        "manager",
        "Project manager",
        False,
        ("projectmanager", "manager", "pm"),
        "Matched to a person by name or email; unmatched names are left empty.",
    ),
    Target(
        "stage",
        "Stage",
        False,
        ("stage", "projectstage", "phase", "lifecyclestage", "status"),
        "Initiation, planning, delivery, closing, closed or on hold (and common synonyms).",
    ),
    Target(
        "priority",
        "Priority",
        False,
        ("priority",),
        "Critical, high, medium or low, or 1 (critical) to 4 (low).",
    ),
    Target(
        "percent_complete",
        "Percent complete",
        False,
        ("percentcomplete", "complete", "progress"),
        "0 to 100; recorded on the imported status report.",
    ),
    Target(
        "forecast_finish",
        "Forecast finish",
        False,
        ("forecastfinish", "forecastenddate", "latestcompletiondate", "forecastcompletiondate"),
        "The latest expected finish; takes precedence over a delay column.",
    ),
    Target(
        "spend_to_date",
        "Spend to date",
        False,
        ("spendtodate", "actualcost", "actualspend", "spend"),
        "In the cost unit below.",
    ),
    Target(
        "forecast_at_completion",
        "Forecast at completion (latest budget)",
        False,
        ("forecastatcompletion", "latestbudget", "forecastcost", "eac", "wholelifecost"),
        "The latest budget or forecast cost, in the cost unit below; takes precedence over a "
        "cost variance column. The original budget is the planned cost.",
    ),
    # -- A return: a rated point in each project's history ---------------------------------
    Target(
        "reporting_date",
        "Reporting date",
        False,
        ("reportingdate", "reportdate", "asat", "asof", "period", "returndate"),
        "When the file is a periodic return with a date per row; or give one date for the "
        "whole file below.",
    ),
    Target(
        "rating_overall",
        "Overall rating",
        False,
        ("overallrating", "rating", "rag", "ragstatus", "deliveryconfidence", "dca"),
        "Green/Amber/Red, G/A/R, Amber/green, A/R, 1 (green) to 5 (red)... A row with a "
        "rating becomes a submitted status report for the reporting date.",
    ),
    Target("rating_schedule", "Schedule rating", False, ("schedulerating", "schedulerag")),
    Target("rating_cost", "Cost rating", False, ("costrating", "costrag", "budgetrating")),
    Target("rating_scope", "Scope rating", False, ("scoperating", "scoperag")),
    Target("rating_resources", "Resources rating", False, ("resourcesrating", "resourcerag")),
    Target("rating_risk", "Risk rating", False, ("riskrating", "riskrag")),
    Target(
        "rating_comment",
        "Rating commentary",
        False,
        ("ratingcommentary", "commentary", "comments", "ragcommentary", "dcacommentary"),
        "Why the overall rating; the first 200 characters are kept as its reason.",
    ),
    Target("accomplishments", "Accomplishments", False, ("accomplishments", "achievements")),
    Target("next_steps", "Next steps", False, ("nextsteps", "plannedactivities")),
    Target("decisions_needed", "Decisions or help needed", False, ("decisionsneeded", "asks")),
)
TARGETS_BY_KEY = {target.key: target for target in TARGETS}

# Files that give amounts in thousands or millions usually say so in a header ("Budget
# (£m)", "Cost, thousands"); the US IT Dashboard's does not, but its columns are known.
_IT_DASHBOARD_HEADERS = {"uniqueinvestmentidentifier", "plannedcost", "costvariance"}
_MILLIONS = re.compile(r"million|[£$€]m\b|\(m\)|\bmn\b", re.IGNORECASE)
_THOUSANDS = re.compile(r"thousand|[£$€]k\b|\(k\)|000s", re.IGNORECASE)


def _normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.casefold())


def guess_columns(headers: list[str]) -> dict[str, str]:
    """Target key -> header, for the headers whose names say what they hold."""
    by_name = {_normalise(header): header for header in reversed(headers)}
    guessed: dict[str, str] = {}
    used: set[str] = set()
    for target in TARGETS:
        for alias in target.aliases:
            header = by_name.get(alias)
            if header is not None and header not in used:
                guessed[target.key] = header
                used.add(header)
                break
    return guessed


def guess_cost_unit(headers: list[str]) -> str:
    normalised = {_normalise(header) for header in headers}
    if normalised >= _IT_DASHBOARD_HEADERS or any(_MILLIONS.search(h) for h in headers):
        return ImportMapping.CostUnit.MILLIONS
    if any(_THOUSANDS.search(header) for header in headers):
        return ImportMapping.CostUnit.THOUSANDS
    return ImportMapping.CostUnit.UNITS


def columns_for(mapping: ImportMapping, headers: list[str]) -> dict[str, str]:
    """A saved mapping applied to a file: only the columns this file has."""
    return {
        key: column
        for key, column in mapping.columns.items()
        if key in TARGETS_BY_KEY and column in headers
    }


def mapping_problems(columns: dict[str, str], headers: list[str]) -> dict[str, str]:
    """Target key -> why this mapping cannot be used; empty when it can."""
    problems: dict[str, str] = {}
    for target in TARGETS:
        column = columns.get(target.key, "")
        if column and column not in headers:
            problems[target.key] = f'The file has no column "{column}".'
        elif target.required and not column:
            problems[target.key] = f"Choose the column that holds the {target.label.lower()}."
    if not columns.get("finish_date") and not columns.get("planned_duration"):
        problems.setdefault(
            "finish_date", "Choose a finish date column or a planned duration column."
        )
    counted = columns.get("planned_duration") and not columns.get("finish_date")
    if counted and not columns.get("start_date"):
        problems.setdefault(
            "start_date", "A planned duration is counted from the start: map the start too."
        )
    if columns.get("cost_variance") and not columns.get("planned_cost"):
        problems.setdefault(
            "planned_cost", "The cost variance is read against the planned cost: map it too."
        )
    return problems


ALSO = "__also"  # suffix of the mapping form's field naming a target's extra columns


def starting_mapping(
    job: ImportJob, parsed: ParsedFile | None = None
) -> tuple[dict[str, str], ReadingOptions]:
    """The job's columns and reading options: its own, a saved mapping's, or a guess.

    A guess reads the file's first rows too (when given): a date such as 30/06/2008 says
    the dates are day first, an amount such as 12,50 that the decimal mark is a comma.
    """
    options = reading_options_of(job)
    if job.columns:
        columns = dict(job.columns)
    elif job.mapping is not None:
        columns = columns_for(job.mapping, job.headers)
        options = replace(options, cost_unit=job.mapping.cost_unit)
    else:
        columns = guess_columns(job.headers)
        options = replace(options, cost_unit=guess_cost_unit(job.headers))
        if parsed is not None:
            options = _guess_conventions(options, columns, parsed)
    return columns, options


def mapping_initial(job: ImportJob, parsed: ParsedFile | None = None) -> dict[str, Any]:
    """The mapping form's starting point (`starting_mapping`), as the form's fields."""
    columns, options = starting_mapping(job, parsed)
    return {
        **columns,
        **{key + ALSO: extra for key, extra in options.extra_columns.items()},
        "cost_unit": options.cost_unit,
        "date_convention": options.date_convention,
        "two_digit_pivot": options.two_digit_pivot,
        "money_locale": options.money_locale,
        "placeholders": "\n".join(options.placeholders),
        "save_as": job.mapping.name if job.mapping else "",
    }


GUESS_ROWS = 500


def _guess_conventions(
    options: ReadingOptions, columns: dict[str, str], parsed: ParsedFile
) -> ReadingOptions:
    def cells(*keys: str) -> Iterator[str]:
        indexes = [parsed.headers.index(columns[k]) for k in keys if columns.get(k)]
        for row in parsed.rows[:GUESS_ROWS]:
            yield from (row.cells[index] for index in indexes)

    dates = guess_date_convention(cells("start_date", "finish_date"))
    money = guess_money_locale(cells("planned_cost", "cost_variance"))
    return replace(
        options,
        date_convention=dates or options.date_convention,
        money_locale=money or options.money_locale,
    )


def mapping_refusal(columns: dict[str, str], headers: list[str]) -> str:
    """Why a file cannot be read with this mapping, in one message; "" when it can."""
    problems = mapping_problems(columns, headers)
    if not problems:
        return ""
    return "The column mapping is incomplete: " + " ".join(
        f"{TARGETS_BY_KEY[key].label}: {message}" if key in TARGETS_BY_KEY else message
        for key, message in problems.items()
    )
