"""What the timeline shows, read from the database: today's rows, or "as of" a past moment
from the history tables (django-simple-history) and the stored health records.

The first response needs only the groups (a programme each, plus the portfolio's projects
without a programme) with their spans: one narrow read of the portfolio's projects. A group
opened reads its projects, their milestones and the dependencies touching them (with the
projects at the far end of each) in a few more queries, whatever the group's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import CharField, Count, Max, Min, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Greatest, Least
from django.utils import timezone

from portfolio.core import impact
from portfolio.core.ratings import Rating
from portfolio.core.timescale import Scale, Zoom, scale_for
from portfolio.health.models import ProgrammeHealth, ProjectHealth
from portfolio.timeline.layout import End, Item, Link, Mark, Side
from programmes.models import Portfolio, Programme
from projects.impact import impact_graph, read_impact_graph
from projects.models import Dependency, Milestone, Project

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

NO_PROGRAMME = "none"  # the group of the portfolio's projects without a programme
NO_HEALTH = "none"


class TimelineFilter(forms.Form):
    """The page's and the API's query: a value that does not parse is left out."""

    zoom = forms.ChoiceField(choices=Zoom.choices, required=False)
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Project.Stage.choices], required=False)
    health = forms.ChoiceField(
        choices=[("", "Any health"), *Rating.choices, (NO_HEALTH, "No data")], required=False
    )
    q = forms.CharField(required=False, max_length=100, label="Name or code")
    programme = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def query(self) -> dict[str, Any]:
        """The valid values, defaults for the rest."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "zoom": Zoom(data.get("zoom") or Zoom.QUARTERS),
            "stage": data.get("stage") or "",
            "health": data.get("health") or "",
            "text": (data.get("q") or "").strip(),
            "programme": data.get("programme"),
        }


@dataclass(frozen=True)
class Query:
    zoom: Zoom = Zoom.QUARTERS
    stage: str = ""
    health: str = ""
    text: str = ""
    programme: int | None = None
    moment: datetime | None = None  # None: today

    @property
    def filtered(self) -> bool:
        return bool(self.stage or self.health or self.text or self.programme)


@dataclass(frozen=True)
class Group:
    key: str  # "programme:3", or "programme:none"
    pk: int | None
    code: str
    name: str
    url: str
    summary: Item  # the span of its projects, with the programme's health
    project_count: int


@dataclass(frozen=True)
class Span:
    """A group's projects in aggregate: how many, first start, last finishes."""

    count: int = 0
    start: date | None = None
    finish: date | None = None
    forecast: date | None = None

    def joined(self, other: Span | None) -> Span:
        """Two spans as one (a hidden programme's projects join those without one)."""
        if other is None:
            return self
        return Span(
            self.count + other.count,
            _earliest(self.start, other.start),
            _latest(self.finish, other.finish),
            _latest(self.forecast, other.forecast),
        )


def _earliest(a: date | None, b: date | None) -> date | None:
    return min(d for d in (a, b) if d) if a or b else None


def _latest(a: date | None, b: date | None) -> date | None:
    return max(d for d in (a, b) if d) if a or b else None


def _project_key(pk: int) -> str:
    return f"project:{pk}"


def _programme_key(pk: int | None) -> str:
    return f"programme:{pk if pk is not None else NO_PROGRAMME}"


def _side(kind: str, upstream: bool) -> Side:
    if upstream:
        return Side.START if kind == Dependency.Kind.START_TO_START else Side.FINISH
    return Side.FINISH if kind == Dependency.Kind.FINISH_TO_FINISH else Side.START


class Timeline:
    """A portfolio's timeline as one user may see it, each part read on first use."""

    def __init__(self, user: AnyUser, portfolio: Portfolio, query: Query) -> None:
        self.user = user
        self.portfolio = portfolio
        self.query = query
        self._health: dict[int, str] = {}

    @property
    def today(self) -> date:
        from_moment = self.query.moment
        return timezone.localtime(from_moment).date() if from_moment else timezone.localdate()

    # Reads ------------------------------------------------------------------------------

    def _visible_projects(self) -> QuerySet[Project]:
        moment = self.query.moment
        visible = Project.objects.visible_to(self.user)
        if moment is None:
            return visible.filter(portfolio=self.portfolio, archived_at__isnull=True)
        # As it stood: the rows of that moment, for the projects the user may see now.
        return Project.history.as_of(moment).filter(
            portfolio_id=self.portfolio.pk,
            archived_at__isnull=True,
            id__in=visible.values("pk"),
        )

    def _health_for(self, ids: Iterable[int]) -> dict[int, str]:
        """The overall health (today's or as it stood) of these projects, each read once."""
        missing = set(ids) - self._health.keys()
        if missing:
            found = dict(
                self._health_records()
                .filter(project__in=missing)
                .values_list("project_id", "overall")
            )
            self._health.update({pk: found.get(pk, "") for pk in missing})
        return self._health

    def _health_records(self) -> QuerySet[ProjectHealth]:
        moment = self.query.moment
        records = ProjectHealth.objects.all()
        return records.current() if moment is None else records.as_of(moment, "project")

    @cached_property
    def programmes(self) -> dict[int, Programme]:
        moment = self.query.moment
        visible = Programme.objects.visible_to(self.user)
        found: Iterable[Programme]
        if moment is None:
            found = visible.filter(portfolio=self.portfolio)
        else:
            found = Programme.history.as_of(moment).filter(
                portfolio_id=self.portfolio.pk, id__in=visible.values("pk")
            )
        return {p.pk: p for p in found}

    def _programme_health(self, pks: Iterable[int]) -> dict[int, str]:
        records = ProgrammeHealth.objects.filter(programme__in=list(pks))
        moment = self.query.moment
        records = records.current() if moment is None else records.as_of(moment, "programme")
        return dict(records.values_list("programme_id", "overall"))

    def _selected(self) -> QuerySet[Project]:
        """The portfolio's projects the user may see that match the query, in SQL: the
        first response aggregates them per programme and reads no project row."""
        rows = self._visible_projects()
        q = self.query
        if q.programme is not None:
            rows = rows.filter(programme_id=q.programme)
        if q.stage:
            rows = rows.filter(stage=q.stage)
        if q.health == NO_HEALTH:
            rows = rows.exclude(
                id__in=self._health_records().exclude(overall="").values("project_id")
            )
        elif q.health:
            rows = rows.filter(
                id__in=self._health_records().filter(overall=q.health).values("project_id")
            )
        if q.text:
            # A programme's name matches only where the viewer may see that programme.
            text = q.text.casefold()
            programmes = [
                pk for pk, p in self.programmes.items() if text in f"{p.code} {p.name}".casefold()
            ]
            label = Concat("code", Value(" "), "name", output_field=CharField())
            rows = rows.alias(label=label).filter(
                Q(label__icontains=q.text) | Q(programme_id__in=programmes)
            )
        return rows

    def _rows(self, selected: QuerySet[Project]) -> list[Project]:
        """Project rows in start order (narrow today; a history row has every field)."""
        fields = (
            "id", "code", "name", "programme_id", "portfolio_id", "stage",
            "baseline_start", "baseline_finish", "forecast_finish", "archived_at",
        )  # fmt: skip
        found = list(selected.only(*fields) if self.query.moment is None else selected)
        return sorted(found, key=lambda p: (p.baseline_start or date.max, p.name, p.pk))

    # The first response ------------------------------------------------------------------

    @cached_property
    def groups(self) -> list[Group]:
        """A group per programme with matching projects (every visible programme when
        nothing is filtered), then the projects without a programme (or whose programme the
        user may not see); by their start. One aggregate per programme, whatever the size."""
        programmes = self.programmes
        spans: dict[int | None, Span] = {}
        rows = (
            self._selected()
            .order_by()
            .values("programme_id")
            .annotate(
                count=Count("id"),
                start=Min("baseline_start"),
                finish=Max("baseline_finish"),
                forecast=Max(Coalesce("forecast_finish", "baseline_finish")),
            )
        )
        for row in rows:
            pk = row["programme_id"] if row["programme_id"] in programmes else None
            spans[pk] = Span(row["count"], row["start"], row["finish"], row["forecast"]).joined(
                spans.get(pk)
            )
        if not self.query.filtered:
            for pk in programmes:
                spans.setdefault(pk, Span())
        health = self._programme_health(pk for pk in spans if pk is not None)
        groups = [
            self._group(programmes[pk] if pk is not None else None, span, health)
            for pk, span in spans.items()
        ]
        return sorted(groups, key=lambda g: (g.pk is None, g.summary.start or date.max, g.name))

    def _group(self, programme: Programme | None, span: Span, health: dict[int, str]) -> Group:
        if programme is None:
            pk, code, name, url = None, "", "Projects without a programme", ""
        else:
            pk, code, name = programme.pk, programme.code, programme.name
            url = programme.get_absolute_url()
        summary = Item(
            key=_programme_key(pk),
            label=f"{code} {name}".strip(),
            url=url,
            start=span.start or (programme.start_date if programme else None),
            baseline_finish=span.finish or (programme.finish_date if programme else None),
            forecast_finish=span.forecast,
            health=health.get(pk, "") if pk is not None else "",
        )
        return Group(_programme_key(pk), pk, code, name, url, summary, span.count)

    def scale(self) -> Scale:
        """Every group's span (and today), in the zoom asked for."""
        days = [self.today]
        for group in self.groups:
            days += group.summary.dates()
        if self.query.moment is None:
            # A milestone outside its project's dates (a late go-live) stays on the chart.
            # As of a past day the history rows would cost more than this is worth.
            days += self._milestone_span(self._selected().values("id"))
        return scale_for(min(days), max(days), self.query.zoom)

    @staticmethod
    def _milestone_span(project_ids: QuerySet[Project, Any]) -> list[date]:
        expected = Coalesce("actual_date", "forecast_date", "baseline_date")
        span = Milestone.objects.filter(project_id__in=project_ids).aggregate(
            first=Min(Least("baseline_date", expected)),
            last=Max(Greatest("baseline_date", expected)),
        )
        return [d for d in (span["first"], span["last"]) if d is not None]

    # A group opened -----------------------------------------------------------------------

    def group_projects(self, group: str) -> list[Project]:
        """The projects of one group ("programme:3" or "programme:none")."""
        known = {g.key: g for g in self.groups}
        if group not in known:
            return []
        pk = known[group].pk
        selected = self._selected()
        if pk is not None:
            return self._rows(selected.filter(programme_id=pk))
        return self._rows(
            selected.filter(Q(programme_id__isnull=True) | ~Q(programme_id__in=self.programmes))
        )

    def projects_by_group(self) -> dict[str, list[Project]]:
        """Every group's projects in one read (the API gives them all at once)."""
        by_group: dict[str, list[Project]] = defaultdict(list)
        for project in self._rows(self._selected()):
            pk = project.programme_id if project.programme_id in self.programmes else None
            by_group[_programme_key(pk)].append(project)
        return by_group

    def _milestones(self, project_ids: list[int]) -> dict[int, list[Milestone]]:
        moment = self.query.moment
        found: Iterable[Milestone]
        if moment is None:
            found = Milestone.objects.filter(project_id__in=project_ids)
        else:
            found = Milestone.history.as_of(moment).filter(project_id__in=project_ids)
        by_project: dict[int, list[Milestone]] = defaultdict(list)
        for milestone in sorted(found, key=lambda m: (m.baseline_date, m.name)):
            by_project[milestone.project_id].append(milestone)
        return by_project

    def _dependencies(self, project_ids: list[int]) -> list[Dependency]:
        touching = Q(upstream_id__in=project_ids) | Q(downstream_id__in=project_ids)
        moment = self.query.moment
        if moment is None:
            return list(Dependency.objects.filter(touching).order_by("pk"))
        return list(Dependency.history.as_of(moment).filter(touching).order_by("id"))

    def _far_projects(self, ids: set[int]) -> dict[int, Project]:
        """The projects at the far end of a dependency, as they stood."""
        if not ids:
            return {}
        moment = self.query.moment
        found: Iterable[Project]
        if moment is None:
            found = Project.objects.filter(pk__in=ids)
        else:
            found = Project.history.as_of(moment).filter(id__in=ids)
        return {project.pk: project for project in found}

    def chart_parts(self, projects: list[Project]) -> tuple[list[Item], list[Link]]:
        """The rows of these projects (and of the projects a dependency links them to, at
        the end), and the links between any two of them."""
        ids = [p.pk for p in projects]
        dependencies = self._dependencies(ids)
        own = {p.pk: p for p in projects}
        far_ids = {d.upstream_id for d in dependencies} | {d.downstream_id for d in dependencies}
        far = self._far_projects(far_ids - own.keys())
        everyone = {**own, **far}
        self._health_for(everyone)
        milestones = self._milestones(list(everyone))
        items = [self._item(p, milestones.get(p.pk, [])) for p in projects]
        items += [
            self._item(p, milestones.get(p.pk, []), external=True)
            for p in sorted(far.values(), key=lambda p: (p.baseline_start or date.max, p.name))
        ]
        by_pk = {m.pk: m for ms in milestones.values() for m in ms}
        links = [
            self._link(d, everyone, by_pk)
            for d in dependencies
            if d.upstream_id in everyone and d.downstream_id in everyone
        ]
        return items, links

    def _item(
        self, project: Project, milestones: Iterable[Milestone] = (), external: bool = False
    ) -> Item:
        return Item(
            key=_project_key(project.pk),
            label=f"{project.code} {project.name}",
            url=project.get_absolute_url(),
            start=project.baseline_start,
            baseline_finish=project.baseline_finish,
            forecast_finish=project.forecast_finish,
            health=self._health.get(project.pk, ""),
            marks=tuple(
                Mark(
                    key=f"milestone:{m.pk}",
                    name=m.name,
                    baseline=m.baseline_date,
                    expected=m.expected_date(),
                    done=m.actual_date is not None,
                )
                for m in milestones
            ),
            external=external,
        )

    @staticmethod
    def _link(
        dependency: Dependency, projects: dict[int, Project], milestones: dict[int, Milestone]
    ) -> Link:
        # The rows as drawn (today's or as they stood), so the lateness is that of the chart.
        dependency.upstream = projects[dependency.upstream_id]
        dependency.downstream = projects[dependency.downstream_id]
        up_ms = milestones.get(dependency.upstream_milestone_id or 0)
        down_ms = milestones.get(dependency.downstream_milestone_id or 0)
        dependency.upstream_milestone = up_ms
        dependency.downstream_milestone = down_ms
        late = dependency.days_late() or 0  # unknown dates are not counted late
        up_name = up_ms.name if up_ms else _side(dependency.kind, True).value
        down_name = down_ms.name if down_ms else _side(dependency.kind, False).value
        label = (
            f"{dependency.downstream.name} ({down_name}) needs {dependency.upstream.name} "
            f"({up_name}): {dependency.get_kind_display().lower()}, "
            f"lag {dependency.lag_days} working days" + (f"; {late} days late" if late > 0 else "")
        )
        return Link(
            key=f"dependency:{dependency.pk}",
            upstream=End(
                _project_key(dependency.upstream_id),
                _side(dependency.kind, True),
                f"milestone:{up_ms.pk}" if up_ms else None,
            ),
            downstream=End(
                _project_key(dependency.downstream_id),
                _side(dependency.kind, False),
                f"milestone:{down_ms.pk}" if down_ms else None,
            ),
            late=late > 0,
            label=label,
        )


def plan_graph(moment: datetime | None = None) -> impact.Graph:
    """The dependency graph: today's, kept; as of a past moment, the plan as it stood then
    (the history tables, read for each call)."""
    return impact_graph() if moment is None else read_impact_graph(moment)


def critical_keys(
    project_ids: Iterable[int], moment: datetime | None = None, graph: impact.Graph | None = None
) -> frozenset[str]:
    """The shapes of the critical chain of these projects (a programme's): the chain that
    fixes their latest date, from the impact engine, as timeline keys (its projects' bars,
    its milestones, the dependencies it runs through), in `plan_graph(moment)` unless a
    graph read for it is given. No projects, no chain (and no graph read)."""
    wanted = set(project_ids)
    if not wanted:
        return frozenset()
    if graph is None:
        graph = plan_graph(moment)
    chain = impact.critical_chain(
        graph, [node.id for node in graph.nodes.values() if node.project_id in wanted]
    )
    keys = {f"project:{node.project_id}" for node in chain}
    keys |= {node.id for node in chain if node.id.startswith("milestone:")}
    for upstream, downstream in pairwise(chain):
        keys |= {
            f"dependency:{link.dependency_id}"
            for link in graph.incoming.get(downstream.id, ())
            if link.upstream == upstream.id and link.dependency_id is not None
        }
    return frozenset(keys)
