"""`manage.py import_portfolio`: the same pipeline for scripts, a dry run by default."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portfolio.imports.columns import TARGETS
from portfolio.imports.downloads import MappingProblem, mapping_document, mapping_from_document
from portfolio.imports.options import READING_HELP, ImportOptions, ReadingOptions
from programmes.models import Portfolio
from projects.models import Project, StatusReport
from tests.imports.returns import COLUMNS, HEADERS, RATINGS, YEARS, return_file, row


def _files(tmp_path: Path, rows: list[dict[str, str]], **options: object) -> tuple[str, str]:
    data = tmp_path / "return.csv"
    data.write_bytes(return_file(rows))
    mapping = tmp_path / "mapping.json"
    document = {"columns": COLUMNS, "cost_unit": "units", "options": options}
    mapping.write_text(json.dumps(document))
    return str(data), str(mapping)


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_portfolio", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_prints_the_counts_and_saves_nothing(db: None, tmp_path: Path) -> None:
    data, mapping = _files(tmp_path, [row()])
    out, _ = _run(data, "--mapping", mapping, "--period", "2021-03-31")
    assert "projects: 1 created, 0 updated, 0 unchanged" in out
    assert "reports: 1 created" in out
    assert "Dry run: nothing was saved" in out
    assert not Project.objects.exists()


def test_five_returns_committed_by_script_give_five_rating_points(db: None, tmp_path: Path) -> None:
    for year, rating in zip(YEARS, RATINGS, strict=True):
        data, mapping = _files(tmp_path, [row(rating_overall=rating)], rating_scale="dca5")
        _run(data, "--mapping", mapping, "--period", f"{year}-03-31", "--commit")
    assert list(
        StatusReport.objects.order_by("period_start").values_list("overall", flat=True)
    ) == ["green", "amber_green", "amber", "amber_red", "red"]
    assert Portfolio.objects.get().rating_scale == "dca5"


def test_a_file_with_problems_exits_1_listing_them_and_saves_nothing(
    db: None, tmp_path: Path
) -> None:
    data, mapping = _files(tmp_path, [row(), row(project_code="B", rating_overall="Blue")])
    with pytest.raises(CommandError) as raised:
        _run(data, "--mapping", mapping, "--period", "2021-03-31", "--commit")
    assert raised.value.returncode == 1
    assert not Project.objects.exists()


def test_the_dry_run_of_a_file_with_problems_exits_1_and_prints_each(
    db: None, tmp_path: Path
) -> None:
    data, mapping = _files(tmp_path, [row(rating_overall="Blue")])
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_portfolio", data, "--mapping", mapping, "--period", "2021-03-31", stderr=err
        )
    assert raised.value.returncode == 1
    assert "row 2 Overall rating [DCA]: 'Blue' is not a rating" in err.getvalue()


def test_partial_imports_the_valid_rows_and_exits_2(db: None, tmp_path: Path) -> None:
    data, mapping = _files(tmp_path, [row(), row(project_code="B", rating_overall="Blue")])
    with pytest.raises(CommandError) as raised:
        _run(data, "--mapping", mapping, "--period", "2021-03-31", "--commit", "--partial")
    assert raised.value.returncode == 2
    assert list(Project.objects.values_list("code", flat=True)) == ["HS2"]


def test_a_mapping_naming_an_unknown_field_is_refused(db: None, tmp_path: Path) -> None:
    data, _ = _files(tmp_path, [row()])
    mapping = tmp_path / "bad.json"
    mapping.write_text(json.dumps({"columns": {"colour": "DCA"}}))
    with pytest.raises(CommandError, match="Unknown fields in the mapping: colour"):
        _run(data, "--mapping", str(mapping))


def test_fields_lists_every_mapping_key(db: None) -> None:
    out, _ = _run("--fields")
    assert all(f"  {target.key} " in out for target in TARGETS)
    assert "across_portfolios" in out
    assert all(f"  {key} " in out for key in READING_HELP)


def test_the_mapping_document_carries_the_reading_options_there_and_back() -> None:
    reading = ReadingOptions(
        cost_unit="millions",
        date_convention="dmy",
        money_locale="comma",
        placeholders=("Exempt*", "TBC"),
        extra_columns={"rating_overall": ["DCA rating"]},
        delimiter=";",
    )
    document = json.loads(json.dumps(mapping_document(COLUMNS, reading, ImportOptions())))
    assert mapping_from_document(document) == (COLUMNS, reading, ImportOptions())


def test_a_mapping_document_without_reading_options_reads_files_the_default_way() -> None:
    _, reading, _ = mapping_from_document({"columns": COLUMNS, "cost_unit": "thousands"})
    assert reading == ReadingOptions(cost_unit="thousands")


@pytest.mark.parametrize(
    ("reading", "message"),
    [
        ({"date_format": "dmy"}, "Unknown reading options: date_format"),
        ({"date_convention": "dd/mm/yyyy"}, "cannot be used: date_convention"),
        ({"two_digit_pivot": 150}, "cannot be used: two_digit_pivot"),
        ({"placeholders": "TBC"}, "cannot be used: placeholders"),
        ({"extra_columns": {"colour": ["DCA"]}}, "reading.extra_columns: colour"),
        ({"extra_columns": ["DCA"]}, "cannot be used: extra_columns"),
        ("dmy", '"reading" is a JSON object'),
    ],
)
def test_reading_options_a_script_mistyped_are_refused_not_defaulted(
    reading: object, message: str
) -> None:
    with pytest.raises(MappingProblem, match=re.escape(message)):
        mapping_from_document({"columns": COLUMNS, "reading": reading})


def test_the_command_reads_the_file_as_the_mapping_says(db: None, tmp_path: Path) -> None:
    """A day-first, comma-decimal, semicolon file in Windows-1252 whose budget is spread
    over two columns, imported with the mapping's reading options."""
    headers = [*HEADERS, "Budget (new)"]
    values = row(
        project_name="Café link",
        start_date="01.04.2015",
        finish_date="31/03/2030",
        planned_cost="TBC",
    )
    text = ";".join(headers) + "\r\n" + ";".join([*values.values(), "1.234,50"]) + "\r\n"
    data = tmp_path / "return.csv"
    data.write_bytes(text.encode("cp1252"))
    reading = ReadingOptions(
        date_convention="dmy",
        money_locale="comma",
        extra_columns={"planned_cost": ["Budget (new)"]},
        delimiter=";",
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(mapping_document(COLUMNS, reading, ImportOptions())))
    _run(str(data), "--mapping", str(mapping), "--period", "2021-03-31", "--commit")
    project = Project.objects.get()
    assert (project.name, str(project.baseline_start), str(project.baseline_finish)) == (
        "Café link",
        "2015-04-01",
        "2030-03-31",
    )
    assert project.budget == Decimal("1234.50")
