"""The demo organisation looks like a real one's week, and loading it again adds nothing."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.test import Client

from portfolio.demo.organisation import load_demo
from portfolio.health.models import ProjectHealth
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    HealthPolicy,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
)
from projects.models import (
    Allocation,
    Dependency,
    Issue,
    Milestone,
    Project,
    Risk,
    StatusReport,
)
from projects.money import portfolio_by_month

# A Wednesday morning: reports "submitted at 16:30" this week must not have arrived yet.
TODAY = date(2026, 11, 25)
NOW = datetime.combine(TODAY, time(9, 0), tzinfo=UTC)


def test_demo_has_a_believable_organisation(db: None) -> None:
    assert load_demo() is True
    assert Portfolio.objects.count() >= 2
    assert Programme.objects.count() >= 5
    assert Project.objects.count() >= 30
    assert not Project.objects.filter(manager__isnull=True).exists()
    for model in (
        Team,
        Person,
        HealthPolicy,
        Benefit,
        BenefitMeasurement,
        Stakeholder,
        Milestone,
        Dependency,
        Allocation,
        Risk,
        Issue,
    ):
        assert model.objects.exists(), model.__name__


def test_loading_the_demo_twice_adds_nothing(db: None) -> None:
    load_demo()
    counts = [m.objects.count() for m in (Person, Portfolio, Programme, Project, Risk)]
    assert load_demo() is False
    assert [m.objects.count() for m in (Person, Portfolio, Programme, Project, Risk)] == counts


def test_nothing_in_the_demo_happened_after_it_was_loaded(db: None) -> None:
    load_demo(today=TODAY, now=NOW)
    assert StatusReport.objects.filter(submitted_at__isnull=False).exists()
    assert not StatusReport.objects.filter(submitted_at__gt=NOW).exists()
    assert not StatusReport.objects.filter(period_start__gt=TODAY).exists()
    assert not BenefitMeasurement.objects.filter(measured_on__gt=TODAY).exists()
    assert not Milestone.objects.filter(actual_date__gt=TODAY).exists()


def _elapsed_share(project: Project, on: date) -> float:
    duration = (project.baseline_finish - project.baseline_start).days
    return 100 * (on - project.baseline_start).days / duration


def test_demo_progress_follows_the_time_elapsed_with_a_few_projects_off_it(db: None) -> None:
    load_demo(today=TODAY, now=NOW)
    gaps = []
    for project in Project.objects.all():
        latest = project.status_reports.submitted().order_by("-period_start").first()
        assert latest is not None and latest.percent_complete is not None
        gaps.append(latest.percent_complete - _elapsed_share(project, TODAY))
    near = [gap for gap in gaps if abs(gap) <= 10]
    assert len(near) >= 0.75 * len(gaps), sorted(gaps)
    assert any(gap < -10 for gap in gaps), "a project is well behind"
    assert any(gap > 5 for gap in gaps), "a project is ahead"


def test_demo_benefits_are_at_different_stages(db: None) -> None:
    load_demo(today=TODAY, now=NOW)
    benefits = list(Benefit.objects.prefetch_related("measurements").select_related("programme"))
    realised = [benefit.realised_percent for benefit in benefits]
    behind = [benefit.behind_percent(TODAY) for benefit in benefits]
    assert None in realised, "a benefit without measurements yet"
    assert 100 in realised, "an achieved benefit"
    assert any(b is not None and b >= 10 for b in behind), "a benefit behind its plan"
    assert any(b is not None and abs(b) < 5 for b in behind), "a benefit on track"
    assert len({r for r in realised if r is not None}) >= 3


def test_demo_has_projects_at_each_health_and_a_reported_gap(db: None) -> None:
    load_demo(today=TODAY, now=NOW)
    current = ProjectHealth.objects.filter(is_current=True)
    assert {"green", "amber", "red"} <= set(current.values_list("overall", flat=True))
    assert current.filter(gap=True).exists()


def test_the_demo_pmo_can_use_the_admin_and_the_executive_cannot(db: None) -> None:
    load_demo()
    User = get_user_model()
    pmo, executive = Client(), Client()
    pmo.force_login(User.objects.get(username="pmo"))
    executive.force_login(User.objects.get(username="executive"))
    assert pmo.get("/admin/").status_code == 200
    assert pmo.get("/admin/projects/project/").status_code == 200
    assert executive.get("/admin/").status_code == 302


def test_reloading_an_older_demo_gives_the_pmo_the_admin(db: None) -> None:
    load_demo()
    get_user_model().objects.filter(username="pmo").update(is_staff=False, is_superuser=False)
    assert load_demo() is False
    pmo = get_user_model().objects.get(username="pmo")
    assert pmo.is_staff and pmo.is_superuser


def test_demo_portfolios_have_months_of_spend_to_draw(db: None) -> None:
    load_demo(today=TODAY, now=NOW)
    for portfolio in Portfolio.objects.all():
        money = portfolio_by_month(portfolio.pk, TODAY)
        spent = [row for row in money.rows if row.actual]
        assert len(spent) >= 6, portfolio
        assert money.actual == sum(
            (p.spend_to_date for p in Project.objects.active().filter(portfolio=portfolio)),
            start=Decimal(0),
        )
