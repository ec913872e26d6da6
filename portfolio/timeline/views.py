"""The portfolio timeline: every programme of a portfolio as a collapsible group on one
Gantt, drawn on the server as SVG. The first response holds a page of groups with their
spans (the next page loads as it comes into view, `?page=2`), so it does not grow with the
portfolio; a group's project rows load when it is opened (htmx, `?group=programme:3`), or
inline without JavaScript (the same URLs as pages). Cached by the portfolio's scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString

from portfolio.core import live, pagecache
from portfolio.core.http import HtmxHttpRequest
from portfolio.core.ratings import label_of
from portfolio.core.timescale import Scale, Zoom
from portfolio.timeline.layout import Item, describe, lay_out
from portfolio.timeline.reading import Group, Query, Timeline, TimelineFilter, critical_keys
from portfolio.timeline.svg import axis_svg, chart_svg
from programmes.models import Portfolio, Programme
from projects.impact import PLAN

TEMPLATE = "timeline/portfolio_timeline.html"
# Groups per page: about 40 KB of a first response at most, whatever the portfolio's size.
GROUPS_PER_PAGE = 30


def query_of(request: HttpRequest) -> tuple[TimelineFilter, Query]:
    """The filter form and the query it gives (a bad as_of is a friendly 400)."""
    form = TimelineFilter(request.GET)
    return form, Query(**form.query(), moment=live.as_of(request))


@dataclass(frozen=True)
class RowLabel:
    item: Item
    text: str  # the dates in words

    @property
    def health(self) -> str:
        return label_of(self.item.health)


@dataclass(frozen=True)
class GroupChart:
    labels: list[RowLabel]
    svg: SafeString


@dataclass(frozen=True)
class GroupRow:
    group: Group
    svg: SafeString  # the group's span on the scale
    open: bool

    @property
    def health(self) -> str:
        return label_of(self.group.summary.health)


class TimelinePage:
    """What the page shows, each part read on first use (a cached body reads nothing)."""

    def __init__(
        self,
        timeline: Timeline,
        opened: str | None,
        number: int = 1,
        highlighted: frozenset[str] = frozenset(),
    ) -> None:
        self.timeline = timeline
        self.opened = opened
        self.number = number
        self.highlighted = highlighted

    @cached_property
    def scale(self) -> Scale:
        return self.timeline.scale()

    @cached_property
    def axis(self) -> SafeString:
        return axis_svg(self.scale)

    @cached_property
    def groups(self) -> list[GroupRow]:
        """This page's groups, each with its span drawn on the scale of them all."""
        groups = self.timeline.groups
        only_one = len(groups) == 1
        first = (self.number - 1) * GROUPS_PER_PAGE
        return [
            GroupRow(
                group=g,
                svg=chart_svg(
                    lay_out([g.summary], [], self.scale, highlighted=self.highlighted),
                    label=f"{g.name}: {describe(g.summary)}",
                ),
                open=only_one or g.key == self.opened,
            )
            for g in groups[first : first + GROUPS_PER_PAGE]
        ]

    @property
    def next_number(self) -> int | None:
        return (
            self.number + 1 if len(self.timeline.groups) > self.number * GROUPS_PER_PAGE else None
        )

    def chart(self, group: str) -> GroupChart:
        projects = self.timeline.group_projects(group)
        items, links = self.timeline.chart_parts(projects)
        highlighted = self.highlighted | critical_keys(
            (p.pk for p in projects), self.timeline.query.moment
        )
        chart = lay_out(
            items,
            links,
            self.scale,
            today=self.timeline.today,
            highlighted=highlighted,
        )
        label = (
            f"Gantt of {len(projects)} projects with their milestones and dependencies; "
            "the list beside it gives each project's dates"
        )
        return GroupChart(
            labels=[RowLabel(item, describe(item)) for item in items],
            svg=chart_svg(chart, label=label),
        )

    @cached_property
    def open_chart(self) -> GroupChart | None:
        opened = [g for g in self.groups if g.open]
        return self.chart(opened[0].group.key) if opened else None


def _links(request: HttpRequest) -> dict[str, str]:
    """Query strings that keep the filters, zoom and as_of: `kept` for a group's rows (drawn
    on the same scale as the page), `zoom_<zoom>` for the zoom links."""
    kept = {k: v for k, v in request.GET.items() if k not in ("group", "page") and v}
    filters = {k: v for k, v in kept.items() if k != "zoom"}
    return {
        "kept": urlencode(kept),
        **{f"zoom_{z.value}": urlencode({**filters, "zoom": z.value}) for z in Zoom},
    }


@login_required
def timeline_index(request: HttpRequest) -> HttpResponse:
    """The timelines the viewer may open: straight to it when there is one."""
    portfolios = list(Portfolio.objects.visible_to(request.user).active().order_by("name"))
    if len(portfolios) == 1:
        return redirect("timeline:portfolio", portfolios[0].pk)
    return render(request, "timeline/timeline_index.html", {"portfolios": portfolios})


@login_required
def portfolio_timeline(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    form, query = query_of(request)
    opened = request.GET.get("group")
    # Versions first, before anything the page shows is read (portfolio.core.pagecache);
    # the plan's too where a chart is drawn: its critical chain can run back through
    # another portfolio's projects, and every submit anywhere moves the plan.
    scopes = [pagecache.scope("portfolio", pk)]
    if _draws_a_chart(request, pk, query, opened):
        scopes.append(PLAN)
    pagecache.declare(request, scopes)
    portfolio = get_object_or_404(Portfolio.objects.visible_to(request.user).active(), pk=pk)
    page = TimelinePage(Timeline(request.user, portfolio, query), opened, _number(request))
    context = {
        "portfolio": portfolio,
        "form": form,
        "query": query,
        "page": page,
        "zooms": Zoom.choices,
        "links": _links(request),
        "as_of": query.moment,
    }
    if request.htmx and opened:
        # Lazy: a cached fragment (page_cache) never reads it.
        chart = SimpleLazyObject(lambda: page.chart(opened))
        return render(request, f"{TEMPLATE}#group-rows", {**context, "chart": chart})
    if request.htmx and "page" in request.GET:
        return render(request, f"{TEMPLATE}#group-list", context)
    return render(request, TEMPLATE, context)


def _draws_a_chart(request: HttpRequest, pk: int, query: Query, opened: str | None) -> bool:
    """A group opened, or a page that may hold one group only (drawn open): a filtered one,
    or a portfolio of which the viewer sees at most one programme."""
    if opened or query.filtered:
        return True
    programmes = Programme.objects.visible_to(request.user).active().filter(portfolio_id=pk)
    return len(programmes.values_list("pk", flat=True)[:2]) < 2


def _number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
