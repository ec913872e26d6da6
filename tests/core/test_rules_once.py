"""Each rule once: over-booking (portfolio.core.capacity, AllocationQuerySet.weekly_load),
benefit progress (Benefit) and "overdue" (Issue, Milestone), and the pages and health that
use them agreeing about the same person, benefit, issue or milestone."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from portfolio.core.capacity import (
    LOAD_WINDOW_WEEKS,
    WeekLoad,
    is_overbooked,
    load_percent,
    load_window,
)
from portfolio.dashboards.executive import Show, overview, programme_cards
from portfolio.health import rollup
from portfolio.health.models import ProgrammeHealth
from programmes.models import Benefit, BenefitMeasurement, Person
from projects.models import Allocation, Issue, Milestone
from tests.conftest import Cast
from tests.factories import AllocationFactory, IssueFactory, MilestoneFactory, PersonFactory

# A Monday: the capacity window runs from the week of 2 Mar 2026 to that of 18 May 2026.
TODAY = date(2026, 3, 2)
BOOKED_WEEK = date(2026, 3, 9)


def on_day(day: date) -> Any:
    """Freeze the clock at noon of `day` (the pages ask timezone.localdate())."""
    return time_machine.travel(datetime.combine(day, time(12), tzinfo=UTC), tick=False)


def get(client: Client, url: str, day: date = TODAY) -> Any:
    with on_day(day):
        return client.get(url)


# Over-booking: the rule ------------------------------------------------------------------


def test_a_load_shown_as_100_percent_is_not_over_booked() -> None:
    hours, capacity = Decimal("40.16"), Decimal(40)  # 100.4 %
    assert (load_percent(hours, capacity), is_overbooked(hours, capacity)) == (100, False)


def test_a_load_shown_as_101_percent_is_over_booked() -> None:
    hours, capacity = Decimal("40.2"), Decimal(40)  # 100.5 %
    assert (load_percent(hours, capacity), is_overbooked(hours, capacity)) == (101, True)


def test_hours_booked_against_no_capacity_are_over_booked_with_no_percentage() -> None:
    assert (load_percent(Decimal(5), Decimal(0)), is_overbooked(Decimal(5), Decimal(0))) == (
        None,
        True,
    )


def test_nothing_booked_against_no_capacity_is_not_over_booked() -> None:
    week = WeekLoad(TODAY, Decimal(0), Decimal(0))
    assert (week.is_overbooked, week.level) == (False, "free")


def test_the_window_is_the_iso_week_of_today_and_the_eleven_after_it() -> None:
    mondays = load_window(date(2026, 3, 4))  # a Wednesday
    assert (len(mondays), mondays[0], mondays[-1]) == (12, date(2026, 3, 2), date(2026, 5, 18))


# Over-booking: the table-wide read ---------------------------------------------------------


@pytest.fixture
def ada(cast: Cast) -> Person:
    return PersonFactory(name="Ada", user=None, weekly_capacity_hours=Decimal(40))


def book(person: Person, project: Any, percent: int) -> Allocation:
    """Two weeks from Monday 9 March, Monday to Friday."""
    return AllocationFactory(
        person=person,
        project=project,
        start_date=BOOKED_WEEK,
        finish_date=BOOKED_WEEK + timedelta(days=11),
        percent=percent,
    )


def test_weekly_load_adds_up_a_persons_bookings_on_every_project(cast: Cast, ada: Person) -> None:
    book(ada, cast.project_a1, 70)
    book(ada, cast.project_b1, 60)  # another portfolio altogether
    week = Allocation.objects.weekly_load(TODAY)[ada.pk].weeks[1]
    assert (week.monday, week.booked_hours, week.percent) == (BOOKED_WEEK, Decimal(52), 130)


def test_weekly_load_has_every_week_of_the_window_with_nothing_booked_as_zero(
    cast: Cast, ada: Person
) -> None:
    book(ada, cast.project_a1, 50)
    load = Allocation.objects.weekly_load(TODAY)[ada.pk]
    assert [w.percent for w in load.weeks] == [0, 50, 50] + [0] * (LOAD_WINDOW_WEEKS - 3)


def test_weekly_load_leaves_out_people_booked_only_outside_the_window(
    cast: Cast, ada: Person
) -> None:
    AllocationFactory(
        person=ada, start_date=date(2026, 1, 5), finish_date=date(2026, 2, 27), percent=100
    )
    assert Allocation.objects.weekly_load(TODAY) == {}


def test_weekly_load_of_everyone_comes_from_one_query(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    for _ in range(5):
        AllocationFactory(project=cast.project_a1, start_date=TODAY, percent=50)
    with django_assert_num_queries(1):
        loads = Allocation.objects.weekly_load(TODAY)
    assert len(loads) == 5


def test_a_persons_peak_is_the_week_with_the_most_hours(cast: Cast, ada: Person) -> None:
    book(ada, cast.project_a1, 40)
    AllocationFactory(
        person=ada,
        project=cast.project_a2,
        start_date=date(2026, 3, 16),
        finish_date=date(2026, 3, 20),
        percent=30,
    )
    peak = Allocation.objects.weekly_load(TODAY)[ada.pk].peak
    assert (peak.monday, peak.percent) == (date(2026, 3, 16), 70)


# Over-booking: heat map, person page and programme health agree ----------------------------


def heat_map_cell(cast: Cast, person: Person) -> Any:
    url = reverse("dashboards:programme", args=[cast.programme_a1.pk]) + "?panels=all"
    grid = get(cast.client_for(cast.pmo), url).context["dashboard"].load
    [row] = [r for r in grid.rows if r.person == person]
    return row.cells[1], grid.over_allocated


def person_page_week(cast: Cast, person: Person) -> Any:
    response = get(cast.client_for(cast.pmo), person.get_absolute_url())
    return response.context["load"].weeks[1], response.content.decode()


def resources_health(cast: Cast) -> tuple[str, list[dict[str, str]]]:
    rollup.recompute_programmes([cast.programme_a1.pk], TODAY)
    health = ProgrammeHealth.objects.get(programme=cast.programme_a1, is_current=True)
    reasons = [r for r in health.reasons if r["dimension"] == "resources"]
    return health.dimensions["resources"]["computed"], reasons


def test_heat_map_person_page_and_resources_health_all_say_130_percent_and_over_booked(
    cast: Cast, ada: Person
) -> None:
    book(ada, cast.project_a1, 70)
    book(ada, cast.project_a1_sibling, 60)

    cell, over_allocated = heat_map_cell(cast, ada)
    week, page = person_page_week(cast, ada)
    rating, reasons = resources_health(cast)

    assert (cell.percent, cell.is_over, [r.person for r in over_allocated]) == (130, True, [ada])
    assert (week.monday, week.percent, week.is_overbooked) == (BOOKED_WEEK, 130, True)
    assert "130%" in page and "Over capacity in 2 weeks." in page
    assert rating == "amber"
    assert [(r["observed"], r["message"]) for r in reasons] == [
        (
            "130%",
            "Ada booked at 130% of capacity in the week of 9 Mar, over capacity in 2 of "
            "the next 12 weeks",
        ),
    ]


def test_heat_map_person_page_and_resources_health_all_leave_a_person_at_50_percent_alone(
    cast: Cast, ada: Person
) -> None:
    book(ada, cast.project_a1, 50)

    cell, over_allocated = heat_map_cell(cast, ada)
    week, page = person_page_week(cast, ada)
    rating, reasons = resources_health(cast)

    assert (cell.percent, cell.is_over, over_allocated) == (50, False, [])
    assert (week.percent, week.is_overbooked) == (50, False)
    assert 'data-testid="over-booked"' not in page and "load-flag" not in page
    assert (rating, reasons) == ("green", [])


def test_the_person_page_counts_bookings_on_projects_the_viewer_may_not_see(
    cast: Cast, ada: Person
) -> None:
    book(ada, cast.project_a1, 70)
    book(ada, cast.project_b1, 60)  # portfolio B: the programme manager of A1 cannot see it

    response = get(cast.client_for(cast.programme_manager), ada.get_absolute_url())

    assert response.context["load"].weeks[1].percent == 130
    assert "Project B1" not in response.content.decode()


def test_a_person_booked_with_no_capacity_makes_the_programme_red(cast: Cast, ada: Person) -> None:
    ada.weekly_capacity_hours = Decimal(0)
    ada.save()
    AllocationFactory(
        person=ada,
        project=cast.project_a1,
        start_date=BOOKED_WEEK,
        finish_date=BOOKED_WEEK + timedelta(days=4),
        percent=None,
        hours_per_week=Decimal(8),
    )
    assert resources_health(cast)[0] == "red"


# Benefit progress ------------------------------------------------------------------------


def benefit(cast: Cast, *measured: tuple[date, int], **fields: Any) -> Benefit:
    """Calls answered online, from 100 to 200 by the end of 2026, measured as given."""
    values = {"baseline": Decimal(100), "target": Decimal(200), **fields}
    created = Benefit.objects.create(
        programme=cast.programme_a1,
        name="Calls answered online",
        measure="calls",
        target_date=date(2026, 12, 31),
        **values,
    )
    for day, value in measured:
        BenefitMeasurement.objects.create(benefit=created, measured_on=day, value=value)
    return Benefit.objects.select_related("programme").get(pk=created.pk)


def test_a_benefit_without_measurements_has_unknown_progress_not_zero(cast: Cast) -> None:
    assert benefit(cast).realised_percent is None


def test_realised_progress_is_the_latest_measurements_share_of_the_way_to_target(
    cast: Cast,
) -> None:
    measured = benefit(cast, (date(2026, 5, 1), 150), (date(2026, 2, 1), 120))
    assert measured.realised_percent == 50


def test_a_reduction_towards_a_lower_target_counts_as_progress(cast: Cast) -> None:
    fewer = benefit(cast, (date(2026, 6, 1), 75), baseline=Decimal(100), target=Decimal(50))
    assert fewer.realised_percent == 50


def test_a_benefit_whose_target_is_its_baseline_has_no_share_of_target(cast: Cast) -> None:
    flat = benefit(cast, (date(2026, 6, 1), 100), target=Decimal(100))
    assert flat.realised_percent is None


def test_the_plan_starts_at_the_programmes_start_even_when_measured_later(cast: Cast) -> None:
    cast.programme_a1.start_date = date(2026, 1, 1)
    cast.programme_a1.save()
    measured = benefit(cast, (date(2026, 7, 1), 140))
    assert (measured.plan_start(), measured.planned_percent(date(2026, 7, 2))) == (
        date(2026, 1, 1),
        50,
    )


def test_the_plan_starts_at_the_first_measurement_when_the_programme_has_no_start(
    cast: Cast,
) -> None:
    measured = benefit(cast, (date(2026, 7, 2), 110), (date(2026, 12, 1), 150))
    assert (measured.plan_start(), measured.planned_percent(date(2026, 7, 2))) == (
        date(2026, 7, 2),
        0,
    )


def test_a_benefit_with_neither_a_programme_start_nor_a_measurement_has_no_plan(
    cast: Cast,
) -> None:
    assert benefit(cast).planned_percent(date(2026, 7, 2)) is None


def test_a_benefit_past_its_target_date_short_of_its_target_missed_it(cast: Cast) -> None:
    measured = benefit(cast, (date(2026, 12, 1), 190))
    assert (
        measured.missed_target(date(2026, 12, 31)),
        measured.missed_target(date(2027, 1, 1)),
    ) == (
        False,
        True,
    )


def test_a_benefit_trailing_its_plan_by_20_points_makes_the_programme_amber(cast: Cast) -> None:
    cast.programme_a1.start_date = date(2026, 1, 1)
    cast.programme_a1.save()
    benefit(cast, (date(2026, 7, 1), 130))  # 30 % realised, 50 % planned on 2 July
    rollup.recompute_programmes([cast.programme_a1.pk], date(2026, 7, 2))
    health = ProgrammeHealth.objects.get(programme=cast.programme_a1, is_current=True)
    assert health.dimensions["benefits"]["computed"] == "amber"


def test_an_unmeasured_benefit_leaves_the_programmes_benefits_green(cast: Cast) -> None:
    cast.programme_a1.start_date = date(2026, 1, 1)
    cast.programme_a1.save()
    benefit(cast)
    rollup.recompute_programmes([cast.programme_a1.pk], date(2026, 11, 2))
    health = ProgrammeHealth.objects.get(programme=cast.programme_a1, is_current=True)
    assert health.dimensions["benefits"]["computed"] == "green"


def test_dashboards_programme_page_and_health_show_the_same_benefit_progress(cast: Cast) -> None:
    # Measured first in July, half a year after the programme started: the plan runs from
    # the start, wherever the figure is shown.
    cast.programme_a1.start_date = date(2026, 1, 1)
    cast.programme_a1.save()
    benefit(cast, (date(2026, 7, 1), 130))
    day = date(2026, 7, 2)
    pmo = cast.client_for(cast.pmo)

    dashboard = get(
        pmo, reverse("dashboards:programme", args=[cast.programme_a1.pk]) + "?panels=all", day
    )
    [row] = dashboard.context["dashboard"].benefits
    programme_page = get(pmo, cast.programme_a1.get_absolute_url(), day).content.decode()
    with on_day(day):
        cards = programme_cards(cast.pmo.user, cast.portfolio_a, Show.ALL, 1).cards
        [card] = [c for c in cards if c.programme == cast.programme_a1]
    rollup.recompute_programmes([cast.programme_a1.pk], day)
    health = ProgrammeHealth.objects.get(programme=cast.programme_a1, is_current=True)
    [reason] = [r for r in health.reasons if r["dimension"] == "benefits"]

    assert (row.realised_percent, row.planned_percent) == (30, 50)
    assert '30% <span class="small text-secondary">(50% planned)</span>' in programme_page
    assert card.benefits is not None
    assert (card.benefits.realised, card.benefits.planned) == (30, 50)
    assert (reason["observed"], reason["threshold"]) == ("30%", "50% planned")


# Overdue -----------------------------------------------------------------------------------


def test_an_issue_past_its_due_date_is_overdue(cast: Cast) -> None:
    issue = IssueFactory(project=cast.project_a1, due_date=TODAY - timedelta(days=1))
    assert issue.is_overdue(TODAY)


def test_an_issue_due_today_is_not_overdue_yet(cast: Cast) -> None:
    issue = IssueFactory(project=cast.project_a1, due_date=TODAY)
    assert not issue.is_overdue(TODAY)


def test_a_closed_issue_is_never_overdue(cast: Cast) -> None:
    issue = IssueFactory(
        project=cast.project_a1, due_date=TODAY - timedelta(days=9), status=Issue.Status.CLOSED
    )
    assert not issue.is_overdue(TODAY)


def test_an_issue_without_a_due_date_is_never_overdue(cast: Cast) -> None:
    assert not IssueFactory(project=cast.project_a1, due_date=None).is_overdue(TODAY)


def test_overdue_issues_of_a_table_are_those_overdue_one_by_one(cast: Cast) -> None:
    for due, status in [
        (TODAY - timedelta(days=1), Issue.Status.OPEN),
        (TODAY - timedelta(days=1), Issue.Status.IN_PROGRESS),
        (TODAY - timedelta(days=1), Issue.Status.CLOSED),
        (TODAY, Issue.Status.OPEN),
        (None, Issue.Status.OPEN),
    ]:
        IssueFactory(project=cast.project_a1, due_date=due, status=status)
    one_by_one = {i.pk for i in Issue.objects.all() if i.is_overdue(TODAY)}
    assert set(Issue.objects.overdue(TODAY).values_list("pk", flat=True)) == one_by_one
    assert len(one_by_one) == 2


def test_a_milestone_past_its_forecast_without_an_actual_date_is_overdue(cast: Cast) -> None:
    milestone = MilestoneFactory(
        project=cast.project_a1,
        baseline_date=TODAY - timedelta(days=30),
        forecast_date=TODAY - timedelta(days=1),
    )
    assert milestone.is_overdue(TODAY)


def test_a_milestone_forecast_for_later_is_not_overdue_though_its_baseline_passed(
    cast: Cast,
) -> None:
    milestone = MilestoneFactory(
        project=cast.project_a1,
        baseline_date=TODAY - timedelta(days=30),
        forecast_date=TODAY + timedelta(days=10),
    )
    assert not milestone.is_overdue(TODAY)


def test_a_milestone_without_a_forecast_is_overdue_after_its_baseline(cast: Cast) -> None:
    milestone = MilestoneFactory(project=cast.project_a1, baseline_date=TODAY - timedelta(days=1))
    assert milestone.is_overdue(TODAY)


def test_a_reached_milestone_is_never_overdue(cast: Cast) -> None:
    milestone = MilestoneFactory(
        project=cast.project_a1,
        baseline_date=TODAY - timedelta(days=30),
        actual_date=TODAY - timedelta(days=20),
    )
    assert not milestone.is_overdue(TODAY)


def test_overdue_milestones_of_a_table_are_those_overdue_one_by_one(cast: Cast) -> None:
    earlier, later = TODAY - timedelta(days=5), TODAY + timedelta(days=5)
    for forecast, actual in [(earlier, None), (later, None), (None, None), (earlier, earlier)]:
        MilestoneFactory(
            project=cast.project_a1,
            baseline_date=earlier,
            forecast_date=forecast,
            actual_date=actual,
        )
    one_by_one = {m.pk for m in Milestone.objects.all() if m.is_overdue(TODAY)}
    assert set(Milestone.objects.overdue(TODAY).values_list("pk", flat=True)) == one_by_one
    assert len(one_by_one) == 2


def test_the_programme_dashboard_and_the_programme_page_flag_the_same_overdue_issue(
    cast: Cast,
) -> None:
    for title, due in [("Late", TODAY - timedelta(days=1)), ("Due today", TODAY)]:
        IssueFactory(programme=cast.programme_a1, project=None, title=title, due_date=due)
    pmo = cast.client_for(cast.pmo)
    overdue = '<span class="badge text-bg-danger">Overdue</span>'

    pages = [
        get(pmo, reverse("dashboards:programme", args=[cast.programme_a1.pk]) + "?panels=all"),
        get(pmo, cast.programme_a1.get_absolute_url()),
    ]

    for page in pages:
        html = page.content.decode()
        assert html.count(overdue) == 1
        assert html.index(overdue) > html.index(">Late<")


def test_an_overdue_milestone_is_flagged_on_its_project_page(cast: Cast) -> None:
    MilestoneFactory(project=cast.project_a1, name="Go live", baseline_date=TODAY)
    page = get(cast.client_for(cast.pmo), cast.project_a1.get_absolute_url(), TODAY + timedelta(1))
    assert '<span class="badge text-bg-danger">Overdue</span>' in page.content.decode()


def test_upcoming_milestones_are_those_expected_in_the_next_45_days(cast: Cast) -> None:
    soon, later = TODAY + timedelta(days=10), TODAY + timedelta(days=60)
    for name, baseline, forecast in [
        ("Slipped out", soon, later),  # baseline soon, but now expected later
        ("Slipped in", TODAY - timedelta(days=5), soon),  # baseline passed, expected soon
        ("On plan", soon, None),
        ("Overdue", TODAY - timedelta(days=5), None),
    ]:
        MilestoneFactory(
            project=cast.project_a1, name=name, baseline_date=baseline, forecast_date=forecast
        )
    with on_day(TODAY):
        names = {m.name for m in overview(cast.pmo.user).milestones}
    assert names == {"Slipped in", "On plan"}
