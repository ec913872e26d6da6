"""The executive portfolio dashboard: health per portfolio and programme with trends, what
needs attention and why, as it stood on a past date, and polling that costs nothing until
health changes."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.dashboards.executive import CARDS_PER_PAGE
from portfolio.health import rollup
from portfolio.health.models import ProgrammeHealth
from portfolio.health.summaries import refresh_programme_summaries
from projects.models import StatusReport
from tests.conftest import Cast
from tests.factories import ProgrammeFactory, ProjectFactory, RiskFactory

URL = reverse("dashboards:portfolio")


def _cards_url(cast: Cast) -> str:
    return reverse("dashboards:portfolio-programmes", args=[cast.portfolio_a.pk])


def _red(project) -> None:  # type: ignore[no-untyped-def]
    StatusReport.objects.create(
        project=project,
        period_start=date(2026, 11, 16),
        state="submitted",
        submitted_at=timezone.now(),
        percent_complete=10,
        overall="red",
        overall_reason="Supplier gone",
        **{d: "green" for d in ("schedule", "cost", "scope", "resources", "risk")},
    )


@pytest.fixture
def computed(cast: Cast) -> Cast:
    _red(cast.project_a1)
    rollup.recompute_everything()
    return cast


def test_an_executive_sees_their_portfolios_with_programme_health(computed: Cast) -> None:
    client = computed.client_for(computed.executive)
    sections = client.get(URL).context["overview"].sections
    assert [s.portfolio.name for s in sections] == ["Portfolio A"]
    assert sections[0].tally["red"] >= 1
    response = client.get(_cards_url(computed))
    cards = {c.programme.name: c.health.overall for c in response.context["cards"].cards}
    assert cards["Programme A1"] == "red"
    assert 'data-health="red"' in response.content.decode()


def test_the_first_response_loads_programme_cards_on_reveal_not_inline(computed: Cast) -> None:
    body = computed.client_for(computed.executive).get(URL).content.decode()
    assert 'data-testid="programme-card"' not in body
    assert f'hx-get="{_cards_url(computed)}?show=all" hx-trigger="revealed"' in body


@pytest.mark.parametrize(
    ("show", "expected"),
    [("all", {"Programme A1", "Programme A2"}), ("attention", {"Programme A1"}), ("gap", set())],
)
def test_programme_cards_filter_by_red_or_amber_and_by_gap(
    computed: Cast, show: str, expected: set[str]
) -> None:
    ProgrammeHealth.objects.filter(programme=computed.programme_a2).update(overall="green")
    response = computed.client_for(computed.executive).get(_cards_url(computed), {"show": show})
    assert {c.programme.name for c in response.context["cards"].cards} == expected


def test_my_programmes_are_those_i_manage_or_run_projects_in(computed: Cast) -> None:
    response = computed.client_for(computed.project_manager).get(
        _cards_url(computed), {"show": "mine"}
    )
    assert {c.programme.name for c in response.context["cards"].cards} == {"Programme A1"}


def test_an_outsider_cannot_load_a_portfolios_programme_cards(computed: Cast) -> None:
    response = computed.client_for(computed.outsider).get(_cards_url(computed))
    assert response.status_code == 404


def test_programme_cards_come_a_page_at_a_time_with_a_loader_for_the_next(
    cast: Cast,
) -> None:
    for n in range(CARDS_PER_PAGE + 1):
        ProgrammeFactory(portfolio=cast.portfolio_a, name=f"Extra {n:02}")
    client = cast.client_for(cast.executive)
    first = client.get(_cards_url(cast))
    assert len(first.context["cards"].cards) == CARDS_PER_PAGE
    assert "page=2" in first.content.decode()
    second = client.get(_cards_url(cast), {"page": 2}, HTTP_HX_REQUEST="true")
    body = second.content.decode()
    assert 'data-testid="programme-card"' in body and 'id="programmes-' not in body


def test_needs_attention_lists_red_projects_with_their_reasons(computed: Cast) -> None:
    response = computed.client_for(computed.executive).get(URL)
    items = {a.name: a for a in response.context["overview"].attention}
    assert "Project A1" in items and "Programme A1" in items
    assert "Supplier gone" in response.content.decode()


def test_an_open_dashboard_polls_for_nothing_until_health_changes(computed: Cast) -> None:
    client = computed.client_for(computed.executive)
    stamp = client.get(URL).context["stamp"]
    poll = client.get(URL, {"health_since": stamp}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 204 and poll.content == b""
    RiskFactory(project=computed.project_a1_sibling, probability=5, impact=5)
    rollup.recompute_everything()
    poll = client.get(URL, {"health_since": stamp}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    assert "<html" not in poll.content.decode()  # only the dashboard body is swapped


def test_the_dashboard_shows_health_as_it_stood_on_a_past_date(computed: Cast) -> None:
    record = ProgrammeHealth.objects.get(programme=computed.programme_a1, is_current=True)
    ProgrammeHealth.objects.create(
        programme=computed.programme_a1,
        overall="green",
        taken_at=record.taken_at - timedelta(days=30),
    )
    past = (record.taken_at - timedelta(days=20)).date().isoformat()
    client = computed.client_for(computed.executive)
    response = client.get(URL, {"as_of": past})
    assert "As it stood" in response.content.decode()
    assert f"as_of={past}" in response.content.decode()  # the cards load as they stood too
    cards = client.get(_cards_url(computed), {"as_of": past})
    card = cards.context["cards"].cards[0]
    assert (card.programme.name, card.health.overall) == ("Programme A1", "green")


@pytest.mark.parametrize("bad", ["yesterday", "2026-02-30", "<script>"])
def test_a_bad_as_of_date_is_explained_on_the_friendly_400_page(cast: Cast, bad: str) -> None:
    response = cast.client_for(cast.executive).get(URL, {"as_of": bad})
    body = response.content.decode()
    assert response.status_code == 400 and 'class="navbar' in body
    assert "as_of must be a past date like 2026-10-01" in body and "<script>" not in body


@pytest.mark.parametrize("where", [URL, "programme", "project"])
def test_a_future_as_of_date_is_refused_with_a_reason_not_silently_shown(
    cast: Cast, where: str
) -> None:
    url = {
        "programme": reverse("dashboards:programme", args=[cast.programme_a1.pk]),
        "project": reverse("projects:detail", args=[cast.project_a1.pk]),
    }.get(where, where)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = cast.client_for(cast.executive).get(url, {"as_of": tomorrow})
    assert response.status_code == 400
    assert f"as_of must be a past date like 2026-10-01: {tomorrow} is still to come." in (
        response.content.decode()
    )


def test_today_is_a_valid_as_of_date(cast: Cast) -> None:
    today = timezone.localdate().isoformat()
    response = cast.client_for(cast.executive).get(URL, {"as_of": today})
    assert response.status_code == 200 and "As it stood" in response.content.decode()


def test_the_trend_has_twelve_weekly_points(computed: Cast) -> None:
    monday = timezone.now() - timedelta(weeks=3)
    rollup.record_past_week(monday)
    response = computed.client_for(computed.executive).get(_cards_url(computed))
    trend = response.context["cards"].cards[0].trend
    assert len(trend) == 12 and trend[-1] == "red"


def test_the_dashboard_keeps_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries
) -> None:
    client = cast.client_for(cast.executive)

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client.get(URL)
        return len(captured)

    rollup.recompute_everything()
    small = queries()
    for n in range(30):
        programme = ProgrammeFactory(portfolio=cast.portfolio_a, name=f"Extra {n}")
        for _ in range(3):
            project = ProjectFactory(programme=programme)
            _red(project)
            RiskFactory(project=project)
    rollup.recompute_everything()
    rollup.record_past_week(datetime.now(tz=timezone.get_current_timezone()) - timedelta(weeks=2))
    assert queries() == small <= 20


def test_the_trend_tooltip_names_the_rating_in_words(computed: Cast) -> None:
    ProgrammeHealth.objects.filter(programme=computed.programme_a1).update(overall="amber_red")
    # A raw update bypasses the roll-up: refresh the card's summary as the worker would.
    refresh_programme_summaries([computed.programme_a1.pk], timezone.localdate())
    page = computed.client_for(computed.executive).get(_cards_url(computed)).content.decode()
    # One tooltip for the whole trend, oldest first; no data for the weeks before the first
    # snapshot.
    assert "oldest first: No data, " in page and "No data, Amber/red" in page
    assert 'title="Last 12 weeks, oldest first: No data' in page
