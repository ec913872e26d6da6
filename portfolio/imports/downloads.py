"""What the PMO downloads from an import: every problem (not only those a page lists), the
rejected rows with a reason column, and the mapping as the JSON a script reuses.

The mapping document is the object the mapping page saves and `manage.py import_portfolio
--mapping` and the API read: `{"columns": {target key: header}, "cost_unit": ...,
"reading": {...}, "options": {...}}` (`options.ReadingOptions`, `options.ImportOptions`);
`mapping_from_document` checks one written by hand.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from portfolio.imports.columns import TARGETS_BY_KEY
from portfolio.imports.models import ImportMapping
from portfolio.imports.options import ImportOptions, OptionsProblem, ReadingOptions
from portfolio.imports.reading import ParsedFile

# Each problem's message says what is wrong and how to fix it.
PROBLEM_HEADER = ("Row", "Field", "Column", "Value", "Problem and fix")
REASON_COLUMN = "Reason rejected"


def problem_rows(issues: Iterable[dict[str, Any]]) -> list[tuple[object, ...]]:
    """The problem list as rows of a table, header first. The value is the cell as the file
    gives it (jobs recorded before values were kept have none)."""
    return [
        PROBLEM_HEADER,
        *(
            (i["row"] or "", i["field"], i["column"], i.get("value", ""), i["message"])
            for i in issues
        ),
    ]


def rejected_rows_csv(parsed: ParsedFile, issues: Iterable[dict[str, Any]]) -> str:
    """The rows that were left out, as the file gave them, with their reasons appended.

    The cells are written back unchanged (not neutralised like our exports) so that the
    corrected file imports exactly as the original would have: they are the PMO's own.
    """
    reasons: dict[int, list[str]] = defaultdict(list)
    for issue in issues:
        if issue["row"]:
            label = issue["column"] or issue["field"]
            reasons[issue["row"]].append(
                f"{label}: {issue['message']}" if label else issue["message"]
            )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*parsed.headers, REASON_COLUMN])
    for raw in parsed.rows:
        if raw.number in reasons:
            writer.writerow([*raw.cells, " ".join(reasons[raw.number])])
    return out.getvalue()


class MappingProblem(ValueError):
    """A mapping document that cannot be used; the message is for the user."""


def mapping_document(
    columns: dict[str, str], reading: ReadingOptions, options: ImportOptions
) -> dict[str, Any]:
    return {
        "columns": dict(columns),
        "cost_unit": reading.cost_unit,
        "reading": reading.as_json(),
        "options": options.as_json(),
    }


def mapping_from_document(
    data: object,
) -> tuple[dict[str, str], ReadingOptions, ImportOptions]:
    """(columns, reading options with the cost unit, import options) from a mapping
    document; raises MappingProblem. A document without "reading" reads as the defaults."""
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise MappingProblem('A mapping is a JSON object with a "columns" object.')
    columns = data["columns"]
    unknown = sorted(key for key in columns if key not in TARGETS_BY_KEY)
    if unknown:
        raise MappingProblem(
            f"Unknown fields in the mapping: {', '.join(unknown)} (see --fields for the keys)."
        )
    if not all(isinstance(header, str) for header in columns.values()):
        raise MappingProblem("Each field of the mapping names a column header (text).")
    cost_unit = data.get("cost_unit", ImportMapping.CostUnit.UNITS)
    if cost_unit not in ImportMapping.CostUnit.values:
        raise MappingProblem(f"cost_unit must be one of {ImportMapping.CostUnit.values}.")
    try:
        reading = ReadingOptions.from_document(data.get("reading"), cost_unit)
        options = ImportOptions.from_json(data.get("options"))
    except OptionsProblem as exc:
        raise MappingProblem(str(exc)) from None
    unknown = sorted(key for key in reading.extra_columns if key not in TARGETS_BY_KEY)
    if unknown:
        raise MappingProblem(f"Unknown fields in reading.extra_columns: {', '.join(unknown)}.")
    return {k: v for k, v in columns.items() if v}, reading, options
