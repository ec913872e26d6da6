"""Named baselines: re-baselining keeps every earlier baseline, the live fields (and so
slippage and health) follow the approved one, and an earlier one can still be compared."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from portfolio.health.models import HealthRequest
from projects.access import may_rebaseline
from projects.baselines import NewBaseline, project_rebaseline
from projects.models import Baseline, Milestone, Project
from tests.conftest import ROLES, Cast
from tests.factories import DependencyFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

GATE_2 = NewBaseline(name="Gate 2 approval", reason="Scope grew at the design review.")


@pytest.fixture
def late(cast: Cast) -> Milestone:
    """Project A1's "Design signed off" is forecast 20 days after its baseline, and the
    project's finish 30 days after its own."""
    project = cast.project_a1
    project.forecast_finish = project.baseline_finish + timedelta(days=30)
    project.save()
    return MilestoneFactory(
        project=project,
        name="Design signed off",
        baseline_date=date(2026, 6, 1),
        forecast_date=date(2026, 6, 21),
    )


def test_rebaselining_on_forecasts_makes_a_milestone_20_days_late_on_time(
    cast: Cast, late: Milestone
) -> None:
    assert late.slippage_days == 20
    project_rebaseline(project=cast.project_a1, change=GATE_2, user=cast.pmo.user)
    late.refresh_from_db()
    assert late.baseline_date == date(2026, 6, 21)
    assert late.slippage_days == 0


def test_rebaselining_moves_the_project_finish_to_its_forecast(cast: Cast, late: Milestone) -> None:
    project_rebaseline(project=cast.project_a1, change=GATE_2, user=cast.pmo.user)
    project = Project.objects.get(pk=cast.project_a1.pk)
    assert project.baseline_finish == date(2026, 12, 18) + timedelta(days=30)
    assert project.slippage_days == 0


def test_rebaselining_keeps_the_original_baseline_with_its_dates(
    cast: Cast, late: Milestone
) -> None:
    new = project_rebaseline(project=cast.project_a1, change=GATE_2, user=cast.pmo.user)
    original = Baseline.objects.get(project=cast.project_a1, number=1)
    assert original.name == "Original"
    assert original.baseline_finish == date(2026, 12, 18)
    assert original.milestones.get().baseline_date == date(2026, 6, 1)
    assert (new.number, new.name, new.approved_by) == (2, "Gate 2 approval", cast.pmo.user)
    assert new.milestones.get().baseline_date == date(2026, 6, 21)


def test_the_comparison_still_shows_20_days_against_the_original(
    cast: Cast, late: Milestone
) -> None:
    project_rebaseline(project=cast.project_a1, change=GATE_2, user=cast.pmo.user)
    original = Baseline.objects.get(project=cast.project_a1, number=1)
    [row] = original.compare().milestones
    assert (row.then, row.now, row.expected) == (
        date(2026, 6, 1),
        date(2026, 6, 21),
        late.forecast_date,
    )
    assert (row.variance_then, row.variance_now, row.moved) == (20, 0, 20)
    assert original.compare().finish.variance_then == 30


def test_a_milestone_added_after_a_baseline_is_not_in_it(cast: Cast, late: Milestone) -> None:
    project_rebaseline(project=cast.project_a1, change=GATE_2, user=cast.pmo.user)
    MilestoneFactory(project=cast.project_a1, name="Pilot", baseline_date=date(2026, 9, 1))
    original = Baseline.objects.get(project=cast.project_a1, number=1)
    rows = {row.name: row for row in original.compare().milestones}
    assert rows["Pilot"].then is None
    assert rows["Pilot"].variance_then is None


def test_a_reached_milestone_keeps_its_baseline(cast: Cast) -> None:
    reached = MilestoneFactory(
        project=cast.project_a1,
        baseline_date=date(2026, 3, 2),
        forecast_date=date(2026, 3, 9),
        actual_date=date(2026, 3, 10),
    )
    project_rebaseline(project=cast.project_a1, change=GATE_2, user=cast.pmo.user)
    reached.refresh_from_db()
    assert reached.baseline_date == date(2026, 3, 2)


def test_rebaselining_on_given_dates_writes_them(cast: Cast, late: Milestone) -> None:
    change = NewBaseline(
        name="Replan",
        reason="Funding moved a year.",
        from_forecasts=False,
        baseline_finish=date(2027, 12, 17),
        milestone_dates={late.pk: date(2027, 6, 1)},
    )
    project_rebaseline(project=cast.project_a1, change=change, user=cast.pmo.user)
    late.refresh_from_db()
    assert late.baseline_date == date(2027, 6, 1)
    assert Project.objects.get(pk=cast.project_a1.pk).baseline_finish == date(2027, 12, 17)


def test_each_rebaseline_keeps_every_earlier_one(cast: Cast, late: Milestone) -> None:
    for name in ("Gate 2", "Gate 3"):
        change = NewBaseline(name=name, reason="Approved by the board.")
        project_rebaseline(project=cast.project_a1, change=change, user=cast.pmo.user)
    assert list(
        Baseline.objects.of(cast.project_a1).order_by("number").values_list("number", "name")
    ) == [(1, "Original"), (2, "Gate 2"), (3, "Gate 3")]


def test_rebaselining_is_recorded_in_history(cast: Cast, late: Milestone) -> None:
    project_rebaseline(project=cast.project_a1, change=GATE_2, user=cast.pmo.user)
    assert late.history.first().baseline_date == date(2026, 6, 21)
    assert Baseline.history.filter(number=2).exists()


def test_rebaselining_asks_for_the_projects_health_again(
    cast: Cast, late: Milestone, django_capture_on_commit_callbacks: Any
) -> None:
    HealthRequest.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        project_rebaseline(project=cast.project_a1, change=GATE_2, user=cast.pmo.user)
    assert HealthRequest.objects.filter(
        subject=HealthRequest.Subject.PROJECT, subject_id=cast.project_a1.pk
    ).exists()


def test_a_downstream_dependency_follows_the_new_baseline(cast: Cast, late: Milestone) -> None:
    """days_late reads the pinned milestone's baseline: after re-baselining it is the new one."""
    dependency = DependencyFactory(
        upstream=cast.project_a2, downstream=cast.project_a1, downstream_milestone=late
    )
    project_rebaseline(project=cast.project_a1, change=GATE_2, user=cast.pmo.user)
    dependency.refresh_from_db()
    assert dependency.needed_on() == date(2026, 6, 21)


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("name", NewBaseline(name=" ", reason="Because.")),
        ("reason", NewBaseline(name="Gate 2", reason="")),
        (
            "baseline_finish",
            NewBaseline(
                name="Gate 2",
                reason="Because.",
                from_forecasts=False,
                baseline_finish=date(2025, 1, 1),
            ),
        ),
    ],
)
def test_a_bad_rebaseline_is_refused_on_its_field_and_changes_nothing(
    cast: Cast, late: Milestone, field: str, change: NewBaseline
) -> None:
    with pytest.raises(ValidationError) as refused:
        project_rebaseline(project=cast.project_a1, change=change, user=cast.pmo.user)
    assert field in refused.value.message_dict
    assert not Baseline.objects.of(cast.project_a1).exists()
    late.refresh_from_db()
    assert late.baseline_date == date(2026, 6, 1)


# role -> may re-baseline Project A1 (managed by Pam, in Gus's programme A1)
MAY_REBASELINE_A1 = {
    "pmo": True,
    "executive": False,
    "programme_manager": True,
    "project_manager": True,
    "other_project_manager": False,
    "outsider": False,
}


@pytest.mark.parametrize("role", ROLES)
def test_only_pmo_the_manager_and_the_programme_manager_may_rebaseline(
    cast: Cast, role: str
) -> None:
    user = getattr(cast, role).user
    assert may_rebaseline(user, cast.project_a1) is MAY_REBASELINE_A1[role]
