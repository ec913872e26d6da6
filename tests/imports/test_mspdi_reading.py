"""Reading Microsoft Project XML: the versions of Project, and files that are not plans."""

import re
from datetime import date

import pytest

from portfolio.imports.mspdi.reading import MPP_MESSAGE, PlanProblem, project_name_of, read_plan
from tests.imports.mspdi_files import FILES, huge_plan

VERSIONS = [
    "project-2007.xml",
    "project-2010.xml",
    "project-2016.xml",
    "project-2016-utf16.xml",
    "project-2019-online.xml",
]


@pytest.mark.parametrize("name", VERSIONS)
def test_every_version_gives_the_same_milestones_stages_and_days(name: str) -> None:
    plan = read_plan((FILES / name).read_bytes())
    milestones = {task.name: task for task in plan.milestones}
    assert len(milestones) == 4
    assert milestones["Integration start"].stage == "Build › Integration"
    assert milestones["Design approved"].stage == "Design"
    assert milestones["Design approved"].planned == date(2027, 3, 8)
    assert milestones["Kick-off"].actual_finish == date(2027, 1, 5)


@pytest.mark.parametrize("name", ["project-2007.xml", "project-2016-utf16.xml"])
def test_baseline_zero_gives_the_baseline_dates(name: str) -> None:
    plan = read_plan((FILES / name).read_bytes())
    design = next(task for task in plan.milestones if task.name == "Design approved")
    assert design.baseline_finish == date(2027, 3, 1)
    assert plan.summary is not None and plan.summary.baseline_finish == date(2027, 12, 10)


def test_a_plan_saved_without_baselines_has_none_and_empty_elements_read_as_unknown() -> None:
    plan = read_plan((FILES / "project-2016.xml").read_bytes())
    assert all(task.baseline_finish is None for task in plan.milestones)
    kick_off = next(task for task in plan.milestones if task.name == "Kick-off")
    assert kick_off.actual_finish == date(2027, 1, 5)
    go_live = next(task for task in plan.milestones if task.name == "Go live")
    assert go_live.actual_finish is None


def test_non_ascii_names_and_the_version_are_kept() -> None:
    plan = read_plan((FILES / "project-2019-online.xml").read_bytes())
    assert plan.save_version == "16"
    assert plan.name == "Project A1"
    assert "Mise en service – Zürich" in {task.name for task in plan.milestones}


def test_external_tasks_carry_their_plan_and_are_not_milestones_of_this_plan() -> None:
    plan = read_plan((FILES / "project-2010.xml").read_bytes())
    api = plan.task(20)
    assert api is not None and api.is_external
    assert project_name_of(api.external_project) == "Project B1"
    assert "API delivered" not in {task.name for task in plan.milestones}


def test_a_link_gives_type_lag_and_format() -> None:
    plan = read_plan((FILES / "project-2010.xml").read_bytes())
    integration = next(task for task in plan.milestones if task.name == "Integration start")
    first = integration.links[0]
    assert (first.predecessor_uid, first.kind, first.lag, first.lag_format) == (20, 1, 9600, 7)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("\\\\fileserver\\Plans\\Project B1.mpp", "Project B1"),
        ("<>\\Signalling", "Signalling"),
        ("C:/plans/Depot.XML", "Depot"),
        ("\\\\srv\\Plans\\Project B1.mpp\\12", "Project B1"),
    ],
)
def test_the_other_plans_name_is_its_file_name_without_folders_or_extension(
    path: str, name: str
) -> None:
    assert project_name_of(path) == name


def test_a_plan_of_two_thousand_tasks_reads_its_stages_and_milestones() -> None:
    plan = read_plan(huge_plan(2000).encode())
    assert len(plan.tasks) == 2000
    assert len(plan.milestones) == 200
    assert plan.milestones[-1].stage == "Stage 40"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("plan.mpp", MPP_MESSAGE),
        ("billion-laughs.xml", "DTD"),
        ("xxe.xml", "DTD"),
        ("not-xml.xml", "not XML"),
        ("ganttproject.xml", "not a Microsoft Project file"),
    ],
)
def test_files_that_are_not_plans_are_refused_with_the_reason(name: str, words: str) -> None:
    with pytest.raises(PlanProblem, match=re.escape(words)):
        read_plan((FILES / name).read_bytes())


def test_entities_without_a_dtd_are_refused_too() -> None:
    # An internal subset is the only way to declare an entity, so what reaches defusedxml's
    # entity check is refused as a DTD first; an undeclared entity is simply not XML.
    content = b'<Project xmlns="http://schemas.microsoft.com/project"><Name>&x;</Name></Project>'
    with pytest.raises(PlanProblem, match="not XML"):
        read_plan(content)


def test_a_date_that_is_not_one_is_named() -> None:
    content = (
        b'<Project xmlns="http://schemas.microsoft.com/project"><Tasks><Task><UID>1</UID>'
        b"<Name>X</Name><OutlineLevel>1</OutlineLevel><Milestone>1</Milestone>"
        b"<Start>next Tuesday</Start></Task></Tasks></Project>"
    )
    with pytest.raises(PlanProblem, match="<Start> holds 'next Tuesday'"):
        read_plan(content)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(PlanProblem, match="empty"):
        read_plan(b"  \n")
