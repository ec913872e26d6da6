"""Board packs rendered to PDF and read back with pdftotext and pdfinfo: what each page
says, and that a pack as of a past day shows that day's health, not today's."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from portfolio.boardpacks.reading import BATCH, Reader
from portfolio.boardpacks.rendering import pack_html, render_pdf
from portfolio.health.models import PortfolioHealth, ProgrammeHealth, ProjectHealth
from programmes.models import Benefit, BenefitMeasurement
from projects.models import Milestone, Risk
from tests.boardpacks.pdf import page_count, pages_of, text_of
from tests.conftest import Cast
from tests.factories import ProgrammeFactory, ProjectFactory

TODAY = timezone.localdate()
PAST = TODAY - timedelta(days=28)


def _at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _dimensions(**ratings: str) -> dict[str, dict[str, str | None]]:
    return {name: {"reported": r, "computed": r, "rating": r} for name, r in ratings.items()}


def _record(model, subject: str, obj, day: date, overall: str, *reasons: str, **dims: str):  # type: ignore[no-untyped-def]
    return model.objects.create(
        **{subject: obj},
        taken_at=_at(day),
        is_current=day == TODAY,
        overall=overall,
        dimensions=_dimensions(**dims),
        reasons=[{"rule": "test", "message": m} for m in reasons],
    )


@pytest.fixture
def history(cast: Cast) -> Cast:
    """Four weeks ago programme A1 and its project were red for a collapsed supplier; today
    they are green again."""
    _record(ProgrammeHealth, "programme", cast.programme_a1, PAST, "red", "Supplier collapsed")
    _record(ProgrammeHealth, "programme", cast.programme_a1, TODAY, "green")
    _record(ProgrammeHealth, "programme", cast.programme_a2, PAST, "amber", "Benefits behind")
    _record(ProgrammeHealth, "programme", cast.programme_a2, TODAY, "amber", "Benefits behind")
    _record(PortfolioHealth, "portfolio", cast.portfolio_a, PAST, "red", "Programme A1 is red")
    _record(PortfolioHealth, "portfolio", cast.portfolio_a, TODAY, "amber", "Programme A2 amber")
    _record(
        ProjectHealth,
        "project",
        cast.project_a1,
        PAST,
        "red",
        "Forecast finish 40 days behind baseline",
        schedule="red",
        cost="green",
    )
    _record(ProjectHealth, "project", cast.project_a1, TODAY, "green", schedule="green")
    return cast


def _pdf(cast: Cast, subject, day: date) -> bytes:  # type: ignore[no-untyped-def]
    return render_pdf(pack_html(Reader(cast.pmo.user, subject, day))).pdf


def test_a_portfolio_pack_has_a_cover_a_summary_attention_and_a_page_per_programme(
    history: Cast,
) -> None:
    pdf = _pdf(history, history.portfolio_a, TODAY)
    pages = pages_of(pdf)
    assert page_count(pdf) == len(pages) == 5
    cover, summary, attention, a1, a2 = pages
    assert "Portfolio A" in cover and f"As of {TODAY:%-d %B %Y}" in cover
    assert "Portfolio summary" in summary and "Programme A2 amber" in summary
    assert "Programme A1" in summary and "Programme A2" in summary
    assert "What needs attention" in attention
    assert "Programme A1" in a1 and "Project A1" in a1 and "Project A1 sibling" in a1
    assert "Programme A2" in a2 and "Project A2" in a2
    assert "Project B1" not in text_of(pdf)  # another portfolio's


def test_a_pack_as_of_a_past_day_shows_the_health_and_ratings_of_that_day(
    history: Cast,
) -> None:
    then = pages_of(_pdf(history, history.portfolio_a, PAST))
    now = pages_of(_pdf(history, history.portfolio_a, TODAY))
    # The portfolio's health and reason of that day, not today's.
    assert "Programme A1 is red" in then[1] and "Programme A2 amber" not in then[1]
    assert "Red" in then[0] and "Amber" in now[0]
    # What needed attention then: the red programme and project, with their reasons.
    assert "Supplier collapsed" in then[2]
    assert "Forecast finish 40 days behind baseline" in then[2]
    assert "Supplier collapsed" not in now[2]
    # Project A1's ratings that day: red overall and on schedule (R), green on cost (G).
    row = next(line for line in then[3].splitlines() if "Project A1 " in line + " ")
    assert row.split()[-3:-1] == ["R", "R"] or row.split().count("R") == 2, row
    today_row = next(line for line in now[3].splitlines() if "Project A1 " in line + " ")
    assert "R" not in today_row.split()


def test_a_programme_pack_shows_its_milestones_due_risks_benefits_and_spend(
    history: Cast,
) -> None:
    project = history.project_a1
    project.budget, project.spend_to_date = Decimal(200_000), Decimal(50_000)
    project.save()
    sibling = history.project_a1_sibling
    sibling.budget, sibling.spend_to_date = Decimal(200_000), Decimal(50_000)
    sibling.save()
    Milestone.objects.create(
        project=project, name="Pilot live", baseline_date=TODAY + timedelta(days=10)
    )
    Milestone.objects.create(
        project=project, name="Far away", baseline_date=TODAY + timedelta(days=200)
    )
    Risk.objects.create(project=project, title="Vendor lock-in", probability=4, impact=5)
    Risk.objects.create(
        project=project, title="Closed worry", probability=5, impact=5, status="closed"
    )
    benefit = Benefit.objects.create(
        programme=history.programme_a1,
        name="Faster claims",
        measure="claims",
        baseline=0,
        target=100,
        target_date=TODAY + timedelta(days=300),
    )
    BenefitMeasurement.objects.create(benefit=benefit, measured_on=TODAY, value=40)
    pdf = _pdf(history, history.programme_a1, TODAY)
    assert page_count(pdf) == 4  # cover, summary, attention, the programme
    page = pages_of(pdf)[3]
    assert "Pilot live" in page and "Far away" not in page
    assert "Vendor lock-in" in page and "Closed worry" not in page
    assert "Faster claims" in page and "40%" in page
    assert "25%" in page and "Spent 100,000 of 400,000" in page


def test_a_measurement_taken_after_the_day_is_not_in_a_pack_of_that_day(history: Cast) -> None:
    benefit = Benefit.objects.create(
        programme=history.programme_a1,
        name="Faster claims",
        measure="claims",
        baseline=0,
        target=100,
        target_date=TODAY + timedelta(days=300),
    )
    later = PAST + timedelta(days=3)
    BenefitMeasurement.objects.create(benefit=benefit, measured_on=later, value=10)
    BenefitMeasurement.objects.create(benefit=benefit, measured_on=TODAY, value=70)
    then = pages_of(_pdf(history, history.programme_a1, PAST))[3]
    assert "not measured" in then
    then = pages_of(_pdf(history, history.programme_a1, later))[3]
    assert "10%" in then and "70%" not in then


def test_a_pack_leaves_out_the_programmes_the_requester_may_not_see(history: Cast) -> None:
    html = pack_html(Reader(history.programme_manager.user, history.portfolio_a, TODAY))
    assert "Project A1" in html
    assert "Project A2" not in html and "Benefits behind" not in html


def test_reading_a_pack_takes_a_fixed_number_of_queries_per_batch_of_programmes(
    history: Cast, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for n in range(BATCH + 2):  # two batches
        ProjectFactory(programme=ProgrammeFactory(portfolio=history.portfolio_a, name=f"P{n}"))
    reader = Reader(history.pmo.user, history.portfolio_a, TODAY)
    with django_assert_max_num_queries(12 + 2 * 14):
        reader.summary()
        pages = [page for batch in reader.batches() for page in reader.pages(batch)]
    assert len(pages) == BATCH + 4
