"""The capacity page: demand against capacity for everyone, committed apart from tentative
(issue 17, part 1)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio.core.periods import Period
from portfolio.dashboards.capacity import capacity_grid
from programmes.models import Person, Team
from projects.models import Project
from tests.conftest import Cast
from tests.factories import AllocationFactory, PersonFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 24)  # a Wednesday of ISO week 12
MONDAY = Period.containing(TODAY).start


def book(
    person: Person, project: Project, percent: int, weeks: int = 4, monday: date = MONDAY
) -> None:
    AllocationFactory(
        person=person,
        project=project,
        start_date=monday,
        finish_date=monday + timedelta(weeks=weeks, days=-3),
        percent=percent,
        hours_per_week=None,
    )


@pytest.fixture
def platform(db: None) -> Team:
    return Team.objects.create(name="Platform")


@pytest.fixture
def tara(platform: Team) -> Person:
    return PersonFactory(
        name="Tara Singh",
        user=None,
        team=platform,
        job_title="Architect",
        weekly_capacity_hours=Decimal(40),
    )


def test_committed_and_tentative_demand_are_counted_apart(tara: Person) -> None:
    book(tara, ProjectFactory(stage=Project.Stage.DELIVERY), 90)
    book(tara, ProjectFactory(stage=Project.Stage.PLANNING), 30)
    grid = capacity_grid(Person.objects.filter(pk=tara.pk), today=TODAY)
    [group] = grid.groups
    first = group.members[0].weeks[0]
    assert (first.committed, first.tentative, first.capacity) == (
        Decimal(36),
        Decimal(12),
        Decimal(40),
    )
    assert (first.committed_load.percent, first.tentative_percent) == (90, 30)
    assert first.over_if_pipeline_proceeds and not first.committed_load.is_overbooked
    assert group.members[0].is_at_risk and not group.members[0].is_overbooked
    # Weeks after the bookings end are free.
    assert group.members[0].weeks[5].committed == 0


def test_a_team_row_sums_its_members_and_people_without_bookings_are_listed(
    tara: Person, platform: Team
) -> None:
    idle = PersonFactory(name="Ian Idle", user=None, team=platform, weekly_capacity_hours=20)
    book(tara, ProjectFactory(stage=Project.Stage.DELIVERY), 60)
    book(tara, ProjectFactory(stage=Project.Stage.DELIVERY), 60)
    grid = capacity_grid(Person.objects.filter(pk__in=[tara.pk, idle.pk]), today=TODAY)
    [group] = grid.groups
    assert [row.name for row in group.members] == ["Ian Idle", "Tara Singh"]
    week = group.total.weeks[0]
    assert (week.committed, week.capacity, week.committed_load.percent) == (
        Decimal(48),
        Decimal(60),
        80,
    )
    # The team has room although Tara is over: where her extra work could go.
    assert group.members[1].is_overbooked and not group.total.is_overbooked


def test_people_group_by_job_title_and_the_ungrouped_are_named(tara: Person) -> None:
    PersonFactory(name="Nobody Titled", user=None, team=None, job_title="")
    grid = capacity_grid(Person.objects.filter(user=None), today=TODAY, by="role")
    assert {group.total.name for group in grid.groups} == {"Architect", "No job title"}
    team_grid = capacity_grid(Person.objects.filter(user=None), today=TODAY, by="team")
    assert {group.total.name for group in team_grid.groups} == {"Platform", "No team"}


def test_needing_attention_keeps_only_people_over_now_or_once_the_pipeline_proceeds(
    tara: Person, platform: Team
) -> None:
    fine = PersonFactory(name="Fine Fiona", user=None, team=platform, weekly_capacity_hours=40)
    risky = PersonFactory(name="Risky Rob", user=None, team=platform, weekly_capacity_hours=40)
    book(tara, ProjectFactory(stage=Project.Stage.DELIVERY), 60)
    book(tara, ProjectFactory(stage=Project.Stage.DELIVERY), 50)
    book(fine, ProjectFactory(stage=Project.Stage.DELIVERY), 50)
    book(risky, ProjectFactory(stage=Project.Stage.DELIVERY), 80)
    book(risky, ProjectFactory(stage=Project.Stage.INITIATION), 40)
    everyone = Person.objects.filter(team=platform)
    [group] = capacity_grid(everyone, today=TODAY, attention_only=True).groups
    assert [row.name for row in group.members] == ["Risky Rob", "Tara Singh"]
    assert group.size == 3  # the total still counts Fiona's free hours


# The page ---------------------------------------------------------------------------------


def test_project_managers_may_not_open_the_capacity_page(cast: Cast) -> None:
    response = cast.client_for(cast.project_manager).get(reverse("dashboards:capacity"))
    assert response.status_code == 403


def test_a_programme_manager_sees_teams_and_opens_one_to_see_its_people(cast: Cast) -> None:
    team = Team.objects.create(name="Signals & Power")
    tara = PersonFactory(name="Tara Singh", user=None, team=team, weekly_capacity_hours=40)
    this_week = Period.containing(date.today()).start  # the page shows from today
    Project.objects.filter(pk__in=[cast.project_a1.pk, cast.project_b1.pk]).update(
        stage=Project.Stage.DELIVERY
    )
    book(tara, cast.project_a1, 80, monday=this_week)
    book(tara, cast.project_b1, 50, monday=this_week)
    client = cast.client_for(cast.programme_manager)
    page = client.get(reverse("dashboards:capacity")).content.decode()
    assert "Signals &amp; Power" in page and "Tara Singh" not in page
    members = client.get(
        reverse("dashboards:capacity"), {"group": "Signals & Power"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Tara Singh" in members
    assert 'data-level="over">130%</td>' in members
    attention = client.get(reverse("dashboards:capacity"), {"attention": "1"}).content.decode()
    assert "Tara Singh" in attention
