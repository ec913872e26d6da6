"""Identity that survives reorganisations: codes in any letter case, projects that move
department, returns without codes, long codes, and projects a later return drops."""

from __future__ import annotations

from datetime import date

from portfolio.imports.models import ImportJob
from programmes.models import Person, Portfolio
from projects.models import Project, StatusReport
from tests.factories import PersonFactory, PortfolioFactory, ProjectFactory
from tests.imports.returns import COLUMNS, commit, job_for, load, plan_of, return_file, row

MARCH_2021, MARCH_2022 = date(2021, 3, 31), date(2022, 3, 31)


def test_a_project_code_whose_letter_case_changes_is_the_same_project(db: None) -> None:
    load(return_file([row(project_code="hs2-ph1")]), period=MARCH_2021)
    load(return_file([row(project_code="HS2-PH1")]), period=MARCH_2022)
    project = Project.objects.get()
    assert project.status_reports.count() == 2


def test_codes_of_one_file_in_two_letter_cases_are_one_project(db: None) -> None:
    job = job_for(
        return_file([row(project_code="abc"), row(project_code="ABC")]), period=MARCH_2021
    )
    plan = plan_of(job)
    assert [(e.row, e.message) for e in plan.errors] == [
        (3, "'ABC' appears on rows 2 and 3; a project must appear once per portfolio.")
    ]


def test_portfolio_codes_are_matched_in_any_letter_case(db: None) -> None:
    load(return_file([row(portfolio_code="dft")]), period=MARCH_2021)
    load(return_file([row(portfolio_code="DfT")]), period=MARCH_2022)
    assert Portfolio.objects.count() == 1
    assert Project.objects.count() == 1


def test_an_existing_portfolio_is_adopted_by_its_code_in_any_case(db: None) -> None:
    portfolio = PortfolioFactory(code="DFT")
    load(return_file([row(portfolio_code="dft")]), period=MARCH_2021)
    assert Project.objects.get().portfolio == portfolio


def test_a_project_that_moves_department_moves_with_its_history_when_asked(db: None) -> None:
    load(return_file([row(portfolio_code="DFT")]), period=MARCH_2021)
    moved = row(portfolio_code="HMT", portfolio_name="Treasury")
    load(return_file([moved]), period=MARCH_2022, across_portfolios=True)
    project = Project.objects.get()
    assert project.portfolio.code == "HMT"
    assert project.status_reports.count() == 2
    assert project.history.count() == 2  # the move is in its audit history


def test_without_matching_across_portfolios_a_moved_project_is_a_new_one(db: None) -> None:
    load(return_file([row(portfolio_code="DFT")]), period=MARCH_2021)
    load(return_file([row(portfolio_code="HMT")]), period=MARCH_2022)
    assert sorted(Project.objects.values_list("portfolio__code", flat=True)) == ["DFT", "HMT"]


def test_a_project_of_that_code_in_the_new_portfolio_is_matched_before_a_move(
    db: None,
) -> None:
    load(return_file([row(portfolio_code="DFT")]), period=MARCH_2021)
    here = ProjectFactory(portfolio=PortfolioFactory(code="HMT"), programme=None, code="HS2")
    load(return_file([row(portfolio_code="HMT")]), period=MARCH_2022, across_portfolios=True)
    here.refresh_from_db()
    assert here.external_id == "HS2"
    assert Project.objects.filter(portfolio__code="DFT").exists()


def test_a_move_onto_a_code_another_file_owns_in_the_new_portfolio_is_a_row_error(
    db: None,
) -> None:
    load(return_file([row(portfolio_code="DFT")]), period=MARCH_2021)
    ProjectFactory(
        portfolio=PortfolioFactory(code="HMT"),
        programme=None,
        code="HS2",
        external_id="X9",
        name="Other",
    )
    job = job_for(
        return_file([row(portfolio_code="HMT")]), period=MARCH_2022, across_portfolios=True
    )
    assert [e.message for e in plan_of(job).errors] == [
        "Project: the code 'HS2' is already used by 'Other', which comes from external id 'X9'."
    ]


def test_a_return_without_codes_is_matched_by_name_and_says_so(db: None) -> None:
    load(return_file([row(project_code="HS2", project_name="High Speed 2")]), period=MARCH_2021)
    columns = {k: v for k, v in COLUMNS.items() if k != "project_code"}
    job = job_for(
        return_file([row(project_name="high speed 2")]), period=MARCH_2022, columns=columns
    )
    plan = plan_of(job)
    assert [(r.matched_by, r.action) for r in plan.rows] == [("name", "updated")]
    commit(job)
    project = Project.objects.get()
    assert (project.code, project.name) == ("HS2", "high speed 2")
    assert project.status_reports.count() == 2


def test_a_project_first_seen_without_a_code_takes_one_from_its_name_then_its_code(
    db: None,
) -> None:
    columns = {k: v for k, v in COLUMNS.items() if k != "project_code"}
    load(return_file([row(project_name="East West Rail")]), period=MARCH_2021, columns=columns)
    assert Project.objects.get().code == "East-West-Rail"
    load(return_file([row(project_code="EWR", project_name="East West Rail")]), period=MARCH_2022)
    project = Project.objects.get()
    assert (project.code, project.external_id) == ("East-West-Rail", "EWR")
    assert project.status_reports.count() == 2


def test_two_projects_of_one_name_are_not_guessed_between(db: None) -> None:
    portfolio = PortfolioFactory(code="DFT")
    ProjectFactory.create_batch(2, portfolio=portfolio, programme=None, name="Rail")
    columns = {k: v for k, v in COLUMNS.items() if k != "project_code"}
    plan = plan_of(
        job_for(return_file([row(project_name="Rail")]), period=MARCH_2021, columns=columns)
    )
    assert [e.message for e in plan.errors] == [
        "Project: 2 projects are named 'Rail'; give the rows a project code to tell them apart."
    ]


def test_a_code_of_64_characters_is_kept_whole(db: None) -> None:
    code = "DFT-" + "X" * 60
    load(return_file([row(project_code=code)]), period=MARCH_2021)
    assert Project.objects.get().code == code


def test_projects_missing_from_a_later_return_are_closed_when_asked(db: None) -> None:
    both = [row(), row(project_code="EWR", project_name="East West Rail")]
    load(return_file(both), period=MARCH_2021)
    job = job_for(return_file([row()]), period=MARCH_2022, close_missing=True)
    assert plan_of(job).counts()["projects"]["closed"] == 1
    commit(job)
    stages = dict(Project.objects.values_list("code", "stage"))
    assert stages == {"HS2": Project.Stage.PLANNING, "EWR": Project.Stage.CLOSED}


def test_projects_missing_from_a_later_return_stay_open_by_default(db: None) -> None:
    both = [row(), row(project_code="EWR", project_name="East West Rail")]
    load(return_file(both), period=MARCH_2021)
    load(return_file([row()]), period=MARCH_2022)
    assert not Project.objects.filter(stage=Project.Stage.CLOSED).exists()


def test_projects_made_by_hand_are_never_closed_by_an_import(db: None) -> None:
    load(return_file([row()]), period=MARCH_2021)
    by_hand = ProjectFactory(portfolio=Portfolio.objects.get(), programme=None)
    load(return_file([row()]), period=MARCH_2022, close_missing=True)
    by_hand.refresh_from_db()
    assert by_hand.stage != Project.Stage.CLOSED


# -- the other fields a PMO keeps ------------------------------------------------------------

DETAILS = {
    "Sponsor": "sponsor",
    "PM": "manager",
    "Phase": "stage",
    "Priority": "priority",
    "% complete": "percent_complete",
    "Forecast end": "forecast_finish",
    "Latest budget": "forecast_at_completion",
    "Spend": "spend_to_date",
    "Objective": "objective",
}


def _detailed(**cells: str) -> ImportJob:
    defaults = {
        "Sponsor": "sro@example.org",
        "PM": "Ada Lovelace",
        "Phase": "Execution",
        "Priority": "High",
        "% complete": "45%",
        "Forecast end": "2036-06-30",
        "Latest budget": "1200",
        "Spend": "300",
        "Objective": "Faster trains",
    }
    columns = COLUMNS | {key: header for header, key in DETAILS.items()}
    data = return_file([row() | defaults | cells], headers=[*COLUMNS.values(), *DETAILS])
    return job_for(data, period=MARCH_2021, columns=columns)


def test_every_project_field_a_pmo_keeps_is_imported(db: None) -> None:
    sponsor = PersonFactory(name="Sam Sponsor", email="SRO@example.org")
    manager = PersonFactory(name="Ada Lovelace")
    commit(_detailed())
    project = Project.objects.get()
    assert (project.sponsor, project.manager) == (sponsor, manager)
    assert (project.stage, project.priority) == (Project.Stage.DELIVERY, Project.Priority.HIGH)
    assert project.forecast_finish == date(2036, 6, 30)
    assert (project.forecast_at_completion, project.spend_to_date) == (1200, 300)
    assert project.objective == "Faster trains"
    report = StatusReport.objects.get()
    assert (report.percent_complete, report.forecast_at_completion) == (45, 1200)


def test_a_person_no_one_is_called_is_a_warning_and_left_empty(db: None) -> None:
    job = _detailed(PM="Nobody Known")
    plan = plan_of(job)
    assert not plan.errors
    assert [(w.field, w.message) for w in plan.warnings] == [
        ("Sponsor", "no person is named 'sro@example.org' or has that email; left empty."),
        ("Project manager", "no person is named 'Nobody Known' or has that email; left empty."),
    ]
    commit(job)
    assert Project.objects.get().manager is None
    assert not Person.objects.exists()


def test_every_problem_of_a_detailed_row_is_reported_at_once(db: None) -> None:
    plan = plan_of(_detailed(Phase="Daydreaming", Priority="Urgent-ish", **{"% complete": "140"}))
    assert sorted(e.column for e in plan.errors) == ["% complete", "Phase", "Priority"]


def test_blank_optional_cells_stay_unknown(db: None) -> None:
    commit(_detailed(Phase="", Priority="", **{"Latest budget": "", "Forecast end": ""}))
    project = Project.objects.get()
    assert project.forecast_at_completion is None
    assert project.forecast_finish is None
    assert project.stage == Project.Stage.PLANNING  # the model's default: the file said nothing
