"""The portfolio timeline page and its API: who sees it, what the first response holds, a
group opened, filters, "as of", and its query bound (portfolio/timeline)."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portfolio.health.models import ProjectHealth
from portfolio.timeline.reading import critical_keys
from portfolio.timeline.views import GROUPS_PER_PAGE
from programmes.models import Portfolio, Programme
from projects.models import Dependency, Milestone, Project
from tests.conftest import Cast
from tests.factories import DependencyFactory, MilestoneFactory, ProgrammeFactory, ProjectFactory

# An opened group also reads the impact graph (4 queries) for its critical chain.
MAX_QUERIES = 20


def page_url(portfolio: Portfolio) -> str:
    return reverse("timeline:portfolio", args=[portfolio.pk])


def get(client: Client, portfolio: Portfolio, **params: Any) -> Any:
    htmx = params.pop("htmx", False)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.get(page_url(portfolio), params, headers=headers)


@pytest.fixture
def linked(cast: Cast) -> dict[str, Any]:
    """Project A1 (programme A1) needs "API delivered" of project A2 (programme A2) for its
    "Integration start": a link across programmes, pinned to a milestone on each side."""
    api = MilestoneFactory(project=cast.project_a2, name="API delivered")
    integration = MilestoneFactory(project=cast.project_a1, name="Integration start")
    dependency = DependencyFactory(
        upstream=cast.project_a2,
        downstream=cast.project_a1,
        upstream_milestone=api,
        downstream_milestone=integration,
    )
    return {"api": api, "integration": integration, "dependency": dependency}


# Who sees it -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["pmo", "executive", "programme_manager", "project_manager"])
def test_everyone_who_may_read_the_portfolio_sees_its_timeline(cast: Cast, role: str) -> None:
    response = get(cast.client_for(getattr(cast, role)), cast.portfolio_a)
    assert response.status_code == 200
    assert 'data-testid="timeline"' in response.content.decode()


@pytest.mark.parametrize("role", ["other_project_manager", "outsider"])
def test_someone_who_may_not_read_the_portfolio_gets_not_found(cast: Cast, role: str) -> None:
    assert get(cast.client_for(getattr(cast, role)), cast.portfolio_a).status_code == 404


def test_the_timeline_is_in_everyone_s_navigation_and_leads_to_their_portfolio(
    cast: Cast,
) -> None:
    client = cast.client_for(cast.other_project_manager)
    home = client.get(reverse("projects:mine")).content.decode()
    assert f'href="{reverse("timeline:index")}"' in home
    response = client.get(reverse("timeline:index"))
    assert response.status_code == 302
    assert response.url == page_url(cast.portfolio_b)


def test_a_viewer_of_several_portfolios_chooses_among_them(cast: Cast) -> None:
    html = cast.client_for(cast.pmo).get(reverse("timeline:index")).content.decode()
    assert page_url(cast.portfolio_a) in html and page_url(cast.portfolio_b) in html


# The first response and a group opened ------------------------------------------------------


def test_the_first_response_holds_the_programmes_and_loads_their_projects_on_open(
    cast: Cast, linked: dict[str, Any]
) -> None:
    html = get(cast.client_for(cast.pmo), cast.portfolio_a).content.decode()
    assert html.count('<details class="tl-group"') == 2
    assert "Programme A1" in html and "Programme A2" in html
    assert 'data-testid="group-rows"' not in html and "Project A1 sibling" not in html
    url = page_url(cast.portfolio_a)
    assert f'hx-get="{url}?group=programme%3A{cast.programme_a1.pk}" hx-trigger="toggle once"' in (
        html
    )


def test_an_opened_group_answers_with_its_rows_and_the_project_it_depends_on(
    cast: Cast, linked: dict[str, Any]
) -> None:
    response = get(
        cast.client_for(cast.pmo),
        cast.portfolio_a,
        group=f"programme:{cast.programme_a1.pk}",
        htmx=True,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="tl-chart-rows" data-testid="group-rows">')
    assert "Project A1" in html and "Project A1 sibling" in html
    # Project A2 is in another programme: its row follows, marked as from elsewhere.
    assert '<li class="tl-label external"><a href="/projects/' in html
    assert html.count('<g class="row') == 3
    # One arrow, drawn from milestone to milestone and named in words.
    assert html.count('<g class="dep') == 1
    assert "Project A1 (Integration start) needs Project A2 (API delivered)" in html


def test_without_javascript_a_group_opens_in_the_page(cast: Cast) -> None:
    html = get(
        cast.client_for(cast.pmo), cast.portfolio_a, group=f"programme:{cast.programme_a2.pk}"
    ).content.decode()
    assert html.count('data-testid="group-rows"') == 1
    assert "Project A2" in html and "Project A1 sibling" not in html


def test_the_chart_uses_the_zoom_asked_for(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    years = get(client, cast.portfolio_a, zoom="years").content.decode()
    months = get(client, cast.portfolio_a, zoom="months").content.decode()
    assert ">2026</text>" in years and ">Q1 2026</text>" not in years
    assert ">Jan 2026</text>" in months and ">Feb</text>" in months


def test_an_unknown_zoom_or_filter_value_is_left_out(cast: Cast) -> None:
    response = get(cast.client_for(cast.pmo), cast.portfolio_a, zoom="weeks", stage="nope")
    assert response.status_code == 200
    assert ">Q1 2026</text>" in response.content.decode()


def shown(response: Any) -> list[Project]:
    """Every project row the timeline would draw, group after group."""
    groups = response.context["page"].timeline.projects_by_group().values()
    return [project for projects in groups for project in projects]


# Filters -----------------------------------------------------------------------------------


def test_filtering_by_stage_keeps_only_the_programmes_with_such_projects(cast: Cast) -> None:
    Project.objects.filter(pk=cast.project_a2.pk).update(stage=Project.Stage.DELIVERY)
    html = get(cast.client_for(cast.pmo), cast.portfolio_a, stage="delivery").content.decode()
    assert "Programme A2" in html and "Programme A1" not in html


def test_filtering_by_health_colour_keeps_the_projects_of_that_colour(cast: Cast) -> None:
    ProjectHealth.objects.create(project=cast.project_a1, overall="red", is_current=True)
    client = cast.client_for(cast.pmo)
    red = get(client, cast.portfolio_a, health="red").content.decode()
    assert "Programme A1" in red and "Programme A2" not in red
    unrated = get(client, cast.portfolio_a, health="none").content.decode()
    assert "Programme A1" in unrated and "Programme A2" in unrated  # the sibling has none


def test_a_search_matches_project_and_programme_names(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    by_project = get(client, cast.portfolio_a, q="a1 SIBLING")
    assert shown(by_project) == [cast.project_a1_sibling]
    by_programme = get(client, cast.portfolio_a, q="programme a2")
    assert shown(by_programme) == [cast.project_a2]


def test_a_single_programme_filtered_is_shown_open(cast: Cast) -> None:
    html = get(
        cast.client_for(cast.pmo), cast.portfolio_a, programme=cast.programme_a2.pk
    ).content.decode()
    assert '<details class="tl-group" data-group="programme:' in html and " open>" in html
    assert "Project A2" in html and "Programme A1" not in html


def test_a_project_manager_sees_only_the_projects_they_may_read(cast: Cast) -> None:
    response = get(cast.client_for(cast.project_manager), cast.portfolio_a)
    assert set(shown(response)) == {
        cast.project_a1,
        cast.project_a1_sibling,
    }


def test_projects_without_a_programme_form_a_group_of_their_own(cast: Cast) -> None:
    ProjectFactory(programme=None, portfolio=cast.portfolio_a, name="Standalone")
    html = get(cast.client_for(cast.pmo), cast.portfolio_a).content.decode()
    assert 'data-group="programme:none"' in html and "Projects without a programme" in html


# As of a past day --------------------------------------------------------------------------


def test_as_of_a_past_day_draws_the_dates_as_they_stood(cast: Cast) -> None:
    project = cast.project_a2
    long_ago = timezone.now() - timedelta(days=30)
    Project.history.filter(id=project.pk).update(history_date=long_ago)
    project.forecast_finish = project.baseline_finish + timedelta(days=40)
    project.save()
    client = cast.client_for(cast.pmo)
    group = f"programme:{cast.programme_a2.pk}"
    today = get(client, cast.portfolio_a, group=group, htmx=True).content.decode()
    past_day = (timezone.localdate() - timedelta(days=10)).isoformat()
    before = get(client, cast.portfolio_a, group=group, htmx=True, as_of=past_day)
    assert "40 days beyond the baseline" in today
    assert "beyond the baseline" not in before.content.decode()


def test_as_of_a_past_day_highlights_the_critical_chain_of_the_plan_as_it_stood(
    cast: Cast, linked: dict[str, Any]
) -> None:
    # Then: A1 integrated on the day A2 delivered its API (no slack, A2 on A1's chain).
    # Since: the link became a lead of 10 working days, so A1's start has slack today.
    for milestone in (linked["api"], linked["integration"]):
        milestone.baseline_date = milestone.forecast_date = date(2027, 3, 1)
        milestone.save()
    for model in (Programme, Project, Milestone, Dependency):  # all that, a month ago, in order
        model.history.update(history_date=F("history_date") - timedelta(days=30))  # type: ignore[attr-defined]
    dependency = linked["dependency"]
    dependency.lag_days = -10
    dependency.save()
    link = f"dependency:{dependency.pk}"
    past = timezone.now() - timedelta(days=10)
    projects = [cast.project_a1.pk, cast.project_a1_sibling.pk]
    assert link not in critical_keys(projects)
    assert link in critical_keys(projects, past)

    client = cast.client_for(cast.pmo)
    group = f"programme:{cast.programme_a1.pk}"
    today = get(client, cast.portfolio_a, group=group, htmx=True).content.decode()
    as_of = past.date().isoformat()
    before = get(client, cast.portfolio_a, group=group, htmx=True, as_of=as_of).content.decode()
    assert '<g class="dep critical">' not in today
    assert before.count('<g class="dep critical">') == 1


def test_as_of_a_future_or_malformed_day_is_refused_with_a_reason(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = get(client, cast.portfolio_a, as_of=future)
    assert response.status_code == 400
    assert "is still to come" in response.content.decode()
    assert get(client, cast.portfolio_a, as_of="last week").status_code == 400


# Queries -----------------------------------------------------------------------------------


def populate(cast: Cast, projects: int) -> None:
    """`projects` more projects in three new programmes, each with two milestones, chained
    by dependencies pinned to them (across programmes too)."""
    programmes = [ProgrammeFactory(portfolio=cast.portfolio_a) for _ in range(3)]
    previous = None
    for n in range(projects):
        start = date(2026, 1, 5) + timedelta(days=7 * n)
        project = ProjectFactory(
            programme=programmes[n % 3],
            baseline_start=start,
            baseline_finish=start + timedelta(days=120),
        )
        first = MilestoneFactory(project=project, baseline_date=start + timedelta(days=30))
        MilestoneFactory(project=project, baseline_date=start + timedelta(days=90))
        if previous is not None:
            DependencyFactory(
                upstream=previous[0],
                downstream=project,
                upstream_milestone=previous[1],
                downstream_milestone=first,
            )
        previous = (project, first)


def count(client: Client, portfolio: Portfolio, **params: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = get(client, portfolio, **params)
    assert response.status_code == 200
    return len(queries)


def test_the_page_and_a_group_run_the_same_queries_for_3_and_30_projects(
    cast: Cast, settings: Any
) -> None:
    settings.PAGE_CACHE_SECONDS = 0  # what a render costs
    client = cast.client_for(cast.executive)
    populate(cast, 3)
    group = f"programme:{cast.programme_a1.pk}"
    small = (count(client, cast.portfolio_a), count(client, cast.portfolio_a, group=group))
    populate(cast, 27)
    large = (count(client, cast.portfolio_a), count(client, cast.portfolio_a, group=group))
    assert small == large
    assert max(large) <= MAX_QUERIES


def test_a_second_view_of_the_same_timeline_is_served_from_the_page_cache(cast: Cast) -> None:
    client = cast.client_for(cast.executive)
    populate(cast, 6)
    first = count(client, cast.portfolio_a)
    again = count(client, cast.portfolio_a)
    assert again < first
    assert again <= 6  # session, user, navigation, the portfolio


def test_a_plan_write_in_another_portfolio_keeps_the_groups_cached_but_not_an_opened_chart(
    cast: Cast,
) -> None:
    """An opened group's critical chain may run through another portfolio, so its chart
    follows every plan write; the list of groups follows its own portfolio only."""
    client = cast.client_for(cast.pmo)
    group = f"programme:{cast.programme_a1.pk}"
    cold = (count(client, cast.portfolio_a), count(client, cast.portfolio_a, group=group))
    cast.project_b1.forecast_finish = cast.project_b1.baseline_finish + timedelta(days=30)
    cast.project_b1.save()
    groups = count(client, cast.portfolio_a)
    chart = count(client, cast.portfolio_a, group=group)
    assert groups < cold[0] and groups <= 6
    assert chart >= cold[1] - 4  # rendered again (the graph itself may be kept)
    assert chart > 6


# The API -----------------------------------------------------------------------------------


def test_the_api_gives_every_group_with_its_rows_and_links(
    cast: Cast, linked: dict[str, Any]
) -> None:
    url = reverse("api:portfolio-timeline-detail", args=[cast.portfolio_a.pk])
    body = cast.client_for(cast.executive).get(url).json()
    groups = {g["key"]: g for g in body["groups"]}
    a1 = groups[f"programme:{cast.programme_a1.pk}"]
    assert {i["title"] for i in a1["items"]} >= {
        f"{cast.project_a1.code} Project A1",
        f"{cast.project_a2.code} Project A2",
    }
    (link,) = a1["links"]
    assert link["upstream"] == {
        "item": f"project:{cast.project_a2.pk}",
        "side": "finish",
        "mark": f"milestone:{linked['api'].pk}",
    }
    assert link["downstream"]["mark"] == f"milestone:{linked['integration'].pk}"


def test_the_api_refuses_a_malformed_as_of_on_its_field(cast: Cast) -> None:
    url = reverse("api:portfolio-timeline-detail", args=[cast.portfolio_a.pk])
    response = cast.client_for(cast.pmo).get(url, {"as_of": "soon"})
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_a_group_opened_keeps_the_zoom_and_filters_so_it_lines_up_with_the_page(
    cast: Cast,
) -> None:
    html = get(
        cast.client_for(cast.pmo), cast.portfolio_a, zoom="months", stage="planning"
    ).content.decode()
    url = page_url(cast.portfolio_a)
    group = f"programme%3A{cast.programme_a1.pk}"
    assert f'hx-get="{url}?zoom=months&amp;stage=planning&amp;group={group}"' in html
    assert 'href="?stage=planning&amp;zoom=years"' in html


def test_a_long_portfolio_shows_a_page_of_programmes_and_loads_the_next_on_reveal(
    cast: Cast, settings: Any
) -> None:
    for n in range(GROUPS_PER_PAGE + 3):
        ProjectFactory(programme=ProgrammeFactory(portfolio=cast.portfolio_b, name=f"Many {n}"))
    client = cast.client_for(cast.pmo)
    first = get(client, cast.portfolio_b).content.decode()
    assert first.count('<details class="tl-group"') == GROUPS_PER_PAGE
    url = page_url(cast.portfolio_b)
    assert f'hx-get="{url}?page=2" hx-trigger="revealed"' in first
    rest = get(client, cast.portfolio_b, page=2, htmx=True).content.decode()
    assert rest.count('<details class="tl-group"') == 4  # and programme B1
    assert "<h1" not in rest and 'hx-trigger="revealed"' not in rest


def test_an_opened_group_highlights_the_chain_that_fixes_its_finish_across_programmes(
    cast: Cast, linked: dict[str, Any]
) -> None:
    # Project A1 cannot start integrating before Project A2 delivers its API, on the same
    # day: no slack, so A2's delivery is on the chain that fixes A1's finish.
    linked["api"].baseline_date = linked["api"].forecast_date = date(2027, 3, 1)
    linked["api"].save()
    linked["integration"].baseline_date = linked["integration"].forecast_date = date(2027, 3, 1)
    linked["integration"].save()
    expected = {
        f"project:{cast.project_a1.pk}",
        f"project:{cast.project_a2.pk}",
        f"milestone:{linked['api'].pk}",
        f"milestone:{linked['integration'].pk}",
        f"dependency:{linked['dependency'].pk}",
    }
    assert expected <= critical_keys([cast.project_a1.pk, cast.project_a1_sibling.pk])

    html = get(
        cast.client_for(cast.pmo),
        cast.portfolio_a,
        group=f"programme:{cast.programme_a1.pk}",
        htmx=True,
    ).content.decode()
    assert html.count('<g class="dep critical">') == 1
    found = re.findall(r'<g class="(row [^"]*)"><title>\w+ ([^<]+)</title>', html)
    rows = {name: classes.split() for classes, name in found}
    assert "critical" in rows["Project A1"] and "critical" in rows["Project A2"]
    assert "critical" not in rows["Project A1 sibling"]


def test_the_api_marks_each_groups_critical_chain_as_the_chart_highlights_it(
    cast: Cast, linked: dict[str, Any]
) -> None:
    for milestone in (linked["api"], linked["integration"]):  # no slack between them
        milestone.baseline_date = milestone.forecast_date = date(2027, 3, 1)
        milestone.save()
    url = reverse("api:portfolio-timeline-detail", args=[cast.portfolio_a.pk])
    body = cast.client_for(cast.executive).get(url).json()
    a1 = next(g for g in body["groups"] if g["key"] == f"programme:{cast.programme_a1.pk}")
    items = {i["title"].split(" ", 1)[1]: i for i in a1["items"]}
    assert items["Project A1"]["critical"] and items["Project A2"]["critical"]
    assert not items["Project A1 sibling"]["critical"]
    marks = {m["key"]: m["critical"] for i in a1["items"] for m in i["marks"]}
    assert marks[f"milestone:{linked['api'].pk}"] and marks[f"milestone:{linked['integration'].pk}"]
    assert [link["critical"] for link in a1["links"]] == [True]
    assert not a1["summary"]["critical"]
