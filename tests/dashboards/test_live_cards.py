"""The executive dashboard's programme cards render from their stored summaries in a fixed
number of queries, and an open dashboard's poll swaps only the cards (and portfolio
summaries) whose versions moved."""

import re
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portfolio.dashboards.executive import CARDS_PER_PAGE, overview
from portfolio.health import rollup
from portfolio.health.models import PortfolioSummary, ProgrammeSummary
from projects.models import Project
from tests.conftest import Cast
from tests.factories import (
    BenefitFactory,
    BenefitMeasurementFactory,
    ProgrammeFactory,
    ProjectFactory,
)
from tests.health.jobs import run_queued_jobs

URL = reverse("dashboards:portfolio")
# Session, user, person, portfolio, programmes, summaries, viewer facts: none per card.
CARD_PAGE_QUERIES = 12


def _cards_url(cast: Cast) -> str:
    return reverse("dashboards:portfolio-programmes", args=[cast.portfolio_a.pk])


def _card_page(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return len(captured), [q["sql"] for q in captured]


def _grow(cast: Cast, programmes: int) -> None:
    for n in range(programmes):
        programme = ProgrammeFactory(portfolio=cast.portfolio_a, name=f"Extra {n:02}")
        ProjectFactory(programme=programme)
        BenefitMeasurementFactory(benefit=BenefitFactory(programme=programme))


def test_a_page_of_cards_takes_the_same_few_queries_for_two_programmes_or_a_full_page(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    client = cast.client_for(cast.executive)
    rollup.recompute_everything()
    _card_page(client, _cards_url(cast))  # the first request also files the viewer's profile
    few, _ = _card_page(client, _cards_url(cast) + "?show=all")
    _grow(cast, CARDS_PER_PAGE)
    rollup.recompute_everything()
    with django_assert_max_num_queries(CARD_PAGE_QUERIES):
        client.get(_cards_url(cast), headers={"HX-Request": "true"})
    many, _ = _card_page(client, _cards_url(cast) + "?show=all&page=1")
    assert many == few


def test_stored_cards_read_no_health_history_benefit_or_project_table(cast: Cast) -> None:
    _grow(cast, 3)
    rollup.recompute_everything()
    _, queries = _card_page(cast.client_for(cast.executive), _cards_url(cast))
    read = " ".join(queries)
    assert "health_programmesummary" in read
    for table in ("programmes_programmehealth", "programmes_benefit", "projects_projecthealth"):
        assert f'FROM "{table}"' not in read, table


def _shown(client: Client, cast: Cast) -> tuple[str, dict[str, Any]]:
    """What an open page holds: its stamp and the versions its sections and cards carry."""
    page = client.get(URL)
    cards = client.get(_cards_url(cast), headers={"HX-Request": "true"}).content.decode()
    body = page.content.decode() + cards
    return page.context["stamp"], {
        "section": re.findall(r'name="section" value="([\w-]+)"', body),
        "card": re.findall(r'name="card" value="([\w-]+)"', body),
    }


def _poll(client: Client, stamp: str, shown: dict[str, Any]) -> Any:
    return client.get(URL, {"health_since": stamp, **shown}, headers={"HX-Request": "true"})


def test_the_page_carries_each_cards_and_each_portfolio_summarys_version(cast: Cast) -> None:
    rollup.recompute_everything()
    _, shown = _shown(cast.client_for(cast.executive), cast)
    version = ProgrammeSummary.objects.get(programme=cast.programme_a1).version
    assert f"{cast.programme_a1.pk}-{version}" in shown["card"]
    assert len(shown["card"]) == 2 and len(shown["section"]) == 1


def test_a_write_to_programme_a_makes_the_next_poll_carry_as_card_and_not_bs(
    cast: Cast,
) -> None:
    rollup.recompute_everything()
    client = cast.client_for(cast.executive)
    stamp, shown = _shown(client, cast)
    assert _poll(client, stamp, shown).status_code == 204
    project = Project.objects.get(pk=cast.project_a1.pk)
    project.budget = project.budget + Decimal(1_000_000)
    project.save()
    run_queued_jobs()
    poll = _poll(client, stamp, shown)
    body = poll.content.decode()
    assert poll.status_code == 200 and poll.headers["HX-Retarget"] == "#dashboard-poll"
    assert f'id="programme-card-{cast.programme_a1.pk}" hx-swap-oob="true"' in body
    assert f'id="programme-card-{cast.programme_a2.pk}"' not in body
    assert 'id="dashboard-poll"' in body and "<html" not in body


def test_a_poll_swaps_the_portfolio_summary_only_when_it_moved(cast: Cast) -> None:
    rollup.recompute_everything()
    client = cast.client_for(cast.executive)
    stamp, shown = _shown(client, cast)
    summary = f'id="portfolio-summary-{cast.portfolio_a.pk}" data-testid="portfolio-summary"'
    project = Project.objects.get(pk=cast.project_a2.pk)
    project.spend_to_date = project.spend_to_date + Decimal(10)  # a card's, not the summary's
    project.save()
    run_queued_jobs()
    body = _poll(client, stamp, shown).content.decode()
    assert f'id="programme-card-{cast.programme_a2.pk}"' in body and summary not in body
    ProgrammeFactory(portfolio=cast.portfolio_a)  # one more programme in its tally
    run_queued_jobs()
    body = _poll(client, stamp, shown).content.decode()
    assert f'{summary} hx-swap-oob="true"' in body


def test_a_poll_ignores_versions_it_cannot_read_and_cards_the_viewer_may_not_see(
    cast: Cast,
) -> None:
    rollup.recompute_everything()
    client = cast.client_for(cast.executive)
    _, shown = _shown(client, cast)
    shown["card"] += ["x-1", "12", f"{cast.programme_b1.pk}-0"]  # B1 is not in their portfolio
    project = Project.objects.get(pk=cast.project_b1.pk)
    project.budget = project.budget + Decimal(5)
    project.save()
    run_queued_jobs()
    poll = _poll(client, "moved", shown)
    assert poll.status_code == 200
    assert f'id="programme-card-{cast.programme_b1.pk}"' not in poll.content.decode()


def test_an_executive_reads_the_stored_section_and_a_manager_counts_only_what_they_see(
    cast: Cast,
) -> None:
    rollup.recompute_everything()
    PortfolioSummary.objects.filter(portfolio=cast.portfolio_a).update(gaps=7)  # a marker
    executive = overview(cast.executive.user)
    manager = overview(cast.programme_manager.user)
    assert executive.sections[0].gaps == 7 and executive.sections[0].programme_count == 2
    assert manager.sections[0].gaps == 0 and manager.sections[0].programme_count == 1


def test_as_it_stood_on_a_past_date_the_sections_are_counted_from_history(cast: Cast) -> None:
    rollup.recompute_everything()
    PortfolioSummary.objects.filter(portfolio=cast.portfolio_a).update(gaps=7)
    past = overview(cast.executive.user, timezone.now())
    assert past.sections[0].gaps == 0


def test_without_the_page_cache_a_money_change_still_reaches_the_open_page(
    cast: Cast, settings: Any
) -> None:
    settings.PAGE_CACHE_SECONDS = 0  # the poll compares the health stamp instead
    rollup.recompute_everything()
    client = cast.client_for(cast.executive)
    stamp, shown = _shown(client, cast)
    assert _poll(client, stamp, shown).status_code == 204
    project = Project.objects.get(pk=cast.project_a1.pk)
    project.spend_to_date = project.spend_to_date + Decimal(1)  # health stays as it was
    project.save()
    run_queued_jobs()
    body = _poll(client, stamp, shown).content.decode()
    assert f'id="programme-card-{cast.programme_a1.pk}" hx-swap-oob="true"' in body
