"""Importing a Microsoft Project plan into a project: the preview, then the commit."""

from datetime import date
from typing import Any

import pytest

from portfolio.health.models import HealthRequest
from portfolio.imports.mspdi.planning import Preview, lag_days, mspdi_preview
from portfolio.imports.mspdi.reading import Link, Plan, read_plan
from portfolio.imports.mspdi.services import REASON, mspdi_import
from projects.access import may_link
from projects.models import Dependency, Milestone, Project
from tests.conftest import Cast
from tests.factories import DependencyFactory, MilestoneFactory
from tests.imports.mspdi_files import FILES, T, huge_plan, link, plan_xml, standard_tasks

pytestmark = pytest.mark.django_db


def _plan(name: str = "project-2010.xml") -> Plan:
    return read_plan((FILES / name).read_bytes())


@pytest.fixture
def b1_api(cast: Cast) -> Milestone:
    """The milestone of Project B1 the plan's external task names."""
    return MilestoneFactory(
        project=cast.project_b1, name="API delivered", baseline_date=date(2027, 5, 20)
    )


def _import(cast: Cast, plan: Plan | None = None) -> Preview:
    assert cast.pmo.user is not None
    return mspdi_import(project=cast.project_a1, plan=plan or _plan(), user=cast.pmo.user)


def _milestones(project: Project) -> dict[str, Milestone]:
    return {m.name: m for m in project.milestones.all()}


def test_the_plans_milestones_become_the_projects_with_their_dates_and_stages(
    cast: Cast, b1_api: Milestone
) -> None:
    _import(cast)
    milestones = _milestones(cast.project_a1)
    assert set(milestones) == {"Design approved", "Integration start", "Go live", "Kick-off"}
    design = milestones["Design approved"]
    assert (design.baseline_date, design.forecast_date, design.actual_date) == (
        date(2027, 3, 1),
        date(2027, 3, 8),
        None,
    )
    assert design.stage == "Design"
    assert milestones["Integration start"].stage == "Build › Integration"


def test_a_forecast_equal_to_the_baseline_is_left_empty_and_the_actual_is_kept(
    cast: Cast, b1_api: Milestone
) -> None:
    _import(cast)
    kick_off = _milestones(cast.project_a1)["Kick-off"]
    assert kick_off.forecast_date is None
    assert kick_off.actual_date == date(2027, 1, 5)


def test_a_milestone_without_a_baseline_takes_its_planned_day_as_baseline(
    cast: Cast, b1_api: Milestone
) -> None:
    _import(cast)
    go_live = _milestones(cast.project_a1)["Go live"]
    assert (go_live.baseline_date, go_live.forecast_date) == (date(2027, 11, 30), None)


def test_a_link_to_another_projects_milestone_becomes_a_pinned_dependency(
    cast: Cast, b1_api: Milestone
) -> None:
    _import(cast)
    dependency = Dependency.objects.get(downstream=cast.project_a1)
    assert dependency.upstream == cast.project_b1
    assert dependency.upstream_milestone == b1_api
    assert dependency.downstream_milestone == _milestones(cast.project_a1)["Integration start"]
    assert dependency.kind == Dependency.Kind.FINISH_TO_START
    assert dependency.lag_days == 2  # 9,600 tenths of a minute over 480-minute days


def test_links_that_cannot_be_dependencies_are_skipped_with_the_reason(
    cast: Cast, b1_api: Milestone
) -> None:
    preview = _import(cast)
    reasons = " ".join(item.reason for item in preview.skipped)
    assert "No project you may see is named or coded “Nowhere”" in reasons
    assert "Start-to-finish links have no equivalent" in reasons
    assert preview.links_within_plan == 2  # Design approved → Requirements, Integration


def test_importing_the_same_file_again_updates_rather_than_duplicates(
    cast: Cast, b1_api: Milestone
) -> None:
    _import(cast)
    preview = _import(cast)
    assert cast.project_a1.milestones.count() == 4
    assert preview.counts()["unchanged"] == 4
    assert preview.counts()["create"] == 0
    assert Dependency.objects.filter(downstream=cast.project_a1).count() == 1
    assert "already depends on" in " ".join(item.reason for item in preview.skipped)


def test_a_milestone_typed_in_by_hand_is_matched_by_name_and_shows_old_and_new(
    cast: Cast, b1_api: Milestone
) -> None:
    MilestoneFactory(
        project=cast.project_a1, name="design APPROVED ", baseline_date=date(2027, 2, 1)
    )
    assert cast.pmo.user is not None
    preview = mspdi_preview(plan=_plan(), project=cast.project_a1, user=cast.pmo.user)
    design = next(change for change in preview.milestones if change.name == "Design approved")
    assert design.action == "update"
    assert ("baseline", "1 Feb 2027", "1 Mar 2027") in design.changes
    assert cast.project_a1.milestones.get().baseline_date == date(2027, 2, 1)  # preview only


def test_a_plan_without_baselines_keeps_the_baselines_the_project_has(
    cast: Cast, b1_api: Milestone
) -> None:
    _import(cast)
    _import(cast, _plan("project-2016.xml"))
    design = _milestones(cast.project_a1)["Design approved"]
    assert (design.baseline_date, design.forecast_date) == (date(2027, 3, 1), date(2027, 3, 8))


@pytest.mark.parametrize(
    "name",
    ["project-2007.xml", "project-2016-utf16.xml", "project-2019-online.xml", "project-2016.xml"],
)
def test_every_version_of_project_imports(cast: Cast, b1_api: Milestone, name: str) -> None:
    preview = _import(cast, _plan(name))
    assert preview.can_commit
    assert cast.project_a1.milestones.count() == 4
    assert Dependency.objects.filter(downstream=cast.project_a1, upstream=cast.project_b1).exists()


def test_a_project_manager_imports_milestones_and_what_their_project_needs(
    cast: Cast, b1_api: Milestone
) -> None:
    # A project manager records what their own plan waits for (its predecessor links),
    # from projects they may see: the sibling in their programme.
    MilestoneFactory(project=cast.project_a1_sibling, name="API delivered")
    tasks = standard_tasks()
    tasks[-2].external = "\\\\fileserver\\Plans\\Project A1 sibling.mpp"
    assert cast.project_manager.user is not None
    preview = mspdi_import(
        project=cast.project_a1,
        plan=read_plan(plan_xml(tasks).encode()),
        user=cast.project_manager.user,
    )
    assert cast.project_a1.milestones.count() == 4
    dependency = Dependency.objects.get()
    assert (dependency.upstream, dependency.downstream) == (
        cast.project_a1_sibling,
        cast.project_a1,
    )
    assert preview.counts()["dependencies"] == 1


def test_a_link_the_user_may_not_record_is_skipped_in_the_rules_words(
    cast: Cast,
) -> None:
    # Another project waiting for this one (an external successor) is that project's
    # business: its manager or the programme records it, not this project's manager.
    MilestoneFactory(project=cast.project_a1_sibling, name="Trains tested")
    tasks = standard_tasks()
    tasks.append(
        T(22, "Trains tested", 1, milestone=True, start=date(2027, 12, 1),
          external="\\\\fileserver\\Plans\\Project A1 sibling.mpp",
          links=[link(7, kind=0)])
    )  # fmt: skip
    plan = read_plan(plan_xml(tasks).encode())
    assert cast.project_manager.user is not None
    preview = mspdi_preview(plan=plan, project=cast.project_a1, user=cast.project_manager.user)
    assert may_link.refusal in {item.reason for item in preview.skipped}


def test_an_external_milestone_the_other_project_lacks_is_skipped(cast: Cast) -> None:
    preview = _import(cast)
    assert "Project B1 has no milestone named “API delivered”" in " ".join(
        item.reason for item in preview.skipped
    )
    assert not Dependency.objects.exists()


def test_a_link_that_would_close_a_cycle_is_skipped(cast: Cast, b1_api: Milestone) -> None:
    DependencyFactory(upstream=cast.project_a1, downstream=cast.project_b1)
    preview = _import(cast)
    assert any(item.reason.startswith("It would create a cycle") for item in preview.skipped)
    assert Dependency.objects.count() == 1


def test_the_plans_baseline_start_fills_a_project_that_has_none(cast: Cast) -> None:
    Project.objects.filter(pk=cast.project_a1.pk).update(
        baseline_start=None, baseline_finish=date(2027, 12, 17)
    )
    preview = _import(cast)
    assert preview.baseline is not None and preview.baseline.set_start
    cast.project_a1.refresh_from_db()
    assert cast.project_a1.baseline_start == date(2027, 1, 4)


def test_the_projects_own_baseline_is_never_overwritten(cast: Cast) -> None:
    before = (cast.project_a1.baseline_start, cast.project_a1.baseline_finish)
    preview = _import(cast)
    assert preview.baseline is not None and not preview.baseline.set_start
    assert preview.baseline.finish == date(2027, 12, 10)
    assert "is kept" in preview.baseline.note
    cast.project_a1.refresh_from_db()
    assert (cast.project_a1.baseline_start, cast.project_a1.baseline_finish) == before


def test_a_plan_starting_after_the_projects_baseline_finish_leaves_its_start_empty(
    cast: Cast,
) -> None:
    Project.objects.filter(pk=cast.project_a1.pk).update(baseline_start=None)  # ends 2026
    preview = _import(cast)
    assert preview.baseline is not None and not preview.baseline.set_start
    assert "starts after the project's baseline finish" in preview.baseline.note


def test_only_the_pmo_fills_a_projects_baseline(cast: Cast) -> None:
    Project.objects.filter(pk=cast.project_a1.pk).update(
        baseline_start=None, baseline_finish=date(2027, 12, 17)
    )
    assert cast.project_manager.user is not None
    mspdi_import(project=cast.project_a1, plan=_plan(), user=cast.project_manager.user)
    cast.project_a1.refresh_from_db()
    assert cast.project_a1.baseline_start is None


def test_the_import_is_audited_with_who_and_why(cast: Cast, b1_api: Milestone) -> None:
    _import(cast)
    record = Milestone.history.filter(name="Go live").get()
    assert record.history_user == cast.pmo.user
    assert record.history_change_reason == REASON


def test_the_import_asks_for_the_projects_health(cast: Cast, b1_api: Milestone) -> None:
    HealthRequest.objects.all().delete()
    _import(cast)
    assert HealthRequest.objects.filter(
        subject=HealthRequest.Subject.PROJECT, subject_id=cast.project_a1.pk
    ).exists()


def test_two_milestones_of_one_name_in_the_file_import_the_first_only(cast: Cast) -> None:
    tasks = standard_tasks()
    tasks[8].name = "Go live"  # Kick-off renamed as the later milestone
    preview = _import(cast, read_plan(plan_xml(tasks).encode()))
    assert "Another milestone of the file has the same name" in " ".join(
        item.reason for item in preview.skipped
    )
    assert cast.project_a1.milestones.filter(name="Go live").count() == 1


def test_a_percentage_lag_is_skipped_and_elapsed_lags_count_working_days(cast: Cast) -> None:
    elapsed_week = Link(20, 1, 7 * 24 * 60 * 10, 8, "")
    assert lag_days(elapsed_week, 480) == 5
    tasks = standard_tasks()
    tasks[6].links = [link(20, lag=500, lag_format=19)]
    MilestoneFactory(project=cast.project_b1, name="API delivered")
    preview = _import(cast, read_plan(plan_xml(tasks).encode()))
    assert "percentage" in " ".join(item.reason for item in preview.skipped)


def test_a_plan_of_two_thousand_tasks_imports_its_two_hundred_milestones(cast: Cast) -> None:
    preview = _import(cast, read_plan(huge_plan(2000).encode()))
    assert preview.counts()["create"] == 200
    assert cast.project_a1.milestones.count() == 200
    assert preview.links_within_plan > 1000


def test_an_external_successor_makes_the_other_project_depend_on_this_one(cast: Cast) -> None:
    Project.objects.filter(pk=cast.project_b1.pk).update(code="B1")
    MilestoneFactory(project=cast.project_b1, name="Trains tested")
    tasks = standard_tasks()
    tasks.append(
        T(22, "Trains tested", 1, milestone=True, start=date(2027, 12, 1),
          external="<>\\B1", links=[link(7, kind=0)])
    )  # fmt: skip
    _import(cast, read_plan(plan_xml(tasks).encode()))
    dependency = Dependency.objects.get(upstream=cast.project_a1)
    assert dependency.downstream == cast.project_b1  # by its code: the file is "B1"
    assert dependency.kind == Dependency.Kind.FINISH_TO_FINISH
    assert dependency.upstream_milestone is not None
    assert dependency.upstream_milestone.name == "Go live"


def test_a_link_naming_only_the_other_file_links_the_projects_unpinned_on_that_side(
    cast: Cast,
) -> None:
    tasks = standard_tasks()
    tasks[6].links = [link(99, cross="\\\\fileserver\\Plans\\Project B1.mpp\\12")]
    _import(cast, read_plan(plan_xml(tasks).encode()))
    dependency = Dependency.objects.get(downstream=cast.project_a1)
    assert dependency.upstream == cast.project_b1
    assert dependency.upstream_milestone is None
    assert dependency.downstream_milestone is not None


def test_a_plan_without_milestones_is_an_error_and_imports_nothing(cast: Cast) -> None:
    tasks = [task for task in standard_tasks() if not task.milestone]
    preview = _import(cast, read_plan(plan_xml(tasks).encode()))
    assert not preview.can_commit
    assert "no milestones" in preview.errors[0]
    assert not Milestone.objects.exists()


def test_the_preview_of_a_big_plan_takes_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    plan = read_plan(huge_plan(2000).encode())
    assert cast.pmo.user is not None
    with django_assert_max_num_queries(6):
        mspdi_preview(plan=plan, project=cast.project_a1, user=cast.pmo.user)
