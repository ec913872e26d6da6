"""Project health: what the manager reported, checked against what the data says.

`project_facts` reads everything the rules need for any number of projects in a fixed
number of queries; `assess_project` is a pure function of those facts, so the incremental
path (one project after a submit) and the nightly full run share one set of rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Max, OuterRef, Subquery

from portfolio.core.health_rules import Assessment, Dimension, Reason, grade, on_scale
from portfolio.core.ratings import Rating, worst
from programmes.models import HealthPolicy
from projects.models import (
    DIMENSIONS,
    Dependency,
    DerivedForecast,
    Issue,
    Milestone,
    Project,
    Risk,
    StatusReport,
)


@dataclass(frozen=True)
class LateUpstream:
    upstream: str
    days_late: int


@dataclass
class ProjectFacts:
    project: Project
    report: StatusReport | None = None
    milestone_slip_days: int = 0
    milestone_slipping: str = ""
    top_risk_score: int = 0
    overdue_severe_issues: list[str] = field(default_factory=list)
    late_upstream: list[LateUpstream] = field(default_factory=list)
    derived: DerivedForecast | None = None  # where upstream slips push it (projects.impact)


def project_facts(
    projects: Iterable[Project], today: date, reports_until: date | None = None
) -> dict[int, ProjectFacts]:
    """Facts for these projects (selected with portfolio__health_policy): seven queries.

    `reports_until` ignores reports submitted after that day (to rebuild past health).
    """
    facts = {p.pk: ProjectFacts(project=p) for p in projects}
    ids = list(facts)
    submitted = StatusReport.objects.submitted()
    if reports_until is not None:
        submitted = submitted.filter(submitted_at__date__lte=reports_until)
    newest = (
        submitted.filter(project=OuterRef("pk"))
        .order_by("-period_start", "-revision")
        .values("pk")[:1]
    )
    report_ids = (
        Project.objects.filter(pk__in=ids).annotate(r=Subquery(newest)).values_list("r", flat=True)
    )
    for report in StatusReport.objects.filter(pk__in=[r for r in report_ids if r]):
        facts[report.project_id].report = report

    # In id order, as below: the reasons come out the same whichever projects are assessed.
    for milestone in Milestone.objects.open().filter(project__in=ids).order_by("pk"):
        found = facts[milestone.project_id]
        if milestone.slippage_days > found.milestone_slip_days:
            found.milestone_slip_days = milestone.slippage_days
            found.milestone_slipping = milestone.name

    risks = (
        Risk.objects.filter(project__in=ids)
        .exclude(status=Risk.Status.CLOSED)
        .annotate(score_value=F("probability") * F("impact"))
        .values("project_id")
        .annotate(top=Max("score_value"))
    )
    for row in risks:
        facts[row["project_id"]].top_risk_score = row["top"]

    overdue = (
        Issue.objects.overdue(today)
        .filter(project__in=ids, severity__gte=Issue.Severity.HIGH)
        .values_list("project_id", "title")
        .order_by("pk")
    )
    for project_id, title in overdue:
        facts[project_id].overdue_severe_issues.append(title)

    _dependency_facts(facts, ids)
    return facts


def _dependency_facts(facts: dict[int, ProjectFacts], ids: list[int]) -> None:
    """Late upstream dependencies, and where upstream slips push each project: two queries."""
    # In id order: the reasons come out the same whichever set of projects is assessed.
    dependencies = (
        Dependency.objects.filter(downstream__in=ids)
        .select_related("upstream", "downstream", "upstream_milestone", "downstream_milestone")
        .order_by("pk")
    )
    for dependency in dependencies:
        days = dependency.days_late()
        if days is not None and days > 0:  # None: a start is unknown, so not late
            facts[dependency.downstream_id].late_upstream.append(
                LateUpstream(dependency.upstream.name, days)
            )
    for derived in DerivedForecast.objects.filter(project__in=ids).select_related("caused_by"):
        facts[derived.project_id].derived = derived


def assess_project(facts: ProjectFacts, policy: HealthPolicy, today: date) -> Assessment:
    """Each dimension's reported rating beside what the data says, with the reasons."""
    project, report = facts.project, facts.report
    reasons: list[Reason] = []
    computed: dict[str, Rating] = {}

    def signal(
        dimension: str, rating: Rating, rule: str, message: str, observed: object, threshold: object
    ) -> None:
        computed[dimension] = worst([computed.get(dimension), rating]) or rating
        if rating != Rating.GREEN:
            reasons.append(
                Reason(dimension, rule, rating.value, message, str(observed), str(threshold))
            )

    slip = max(project.slippage_days, facts.milestone_slip_days)
    what = (
        f"milestone “{facts.milestone_slipping}”"
        if facts.milestone_slip_days > project.slippage_days
        else "forecast finish"
    )
    signal(
        "schedule",
        grade(slip, policy.schedule_amber_days, policy.schedule_red_days),
        "schedule.slippage",
        f"{what[0].upper()}{what[1:]} {slip} days behind baseline",
        f"{slip} days",
        f"amber from {policy.schedule_amber_days}, red from {policy.schedule_red_days} days",
    )

    cost_rating, cost_reasons = _cost(project, policy)
    computed.update(cost_rating)
    reasons.extend(cost_reasons)

    signal(
        "risk",
        grade(facts.top_risk_score, policy.risk_amber_score, policy.risk_red_score),
        "risk.score",
        f"An open risk scores {facts.top_risk_score}",
        facts.top_risk_score,
        f"amber from {policy.risk_amber_score}, red from {policy.risk_red_score}",
    )
    if facts.overdue_severe_issues:
        signal(
            "risk",
            Rating.RED,
            "issue.overdue",
            f"Severe issue overdue: {', '.join(facts.overdue_severe_issues[:3])}",
            len(facts.overdue_severe_issues),
            "none overdue",
        )

    if project.stage not in (Project.Stage.CLOSED, Project.Stage.ON_HOLD):
        if report is None or report.submitted_at is None:
            signal(
                "reporting",
                Rating.AMBER,
                "reporting.none",
                "No status report submitted yet",
                "none",
                f"one every {policy.stale_after_days} days",
            )
        else:
            age = (today - report.submitted_at.date()).days
            signal(
                "reporting",
                grade(age, policy.stale_after_days + 1, 2 * policy.stale_after_days + 1),
                "reporting.stale",
                f"Last report submitted {age} days ago",
                f"{age} days",
                f"stale after {policy.stale_after_days} days",
            )

    for late in facts.late_upstream:
        signal(
            "dependencies",
            grade(late.days_late, 1, policy.schedule_red_days),
            "dependency.late",
            f"Upstream “{late.upstream}” late by {late.days_late} days",
            f"{late.days_late} days",
            f"red from {policy.schedule_red_days} days",
        )
    if facts.derived is not None and facts.derived.pushed_days > 0:
        signal(
            "dependencies",
            grade(facts.derived.pushed_days, 1, policy.schedule_red_days),
            "dependency.pushed",
            facts.derived.reason(),
            f"{facts.derived.pushed_days} days",
            f"red from {policy.schedule_red_days} days",
        )
    computed.setdefault("dependencies", Rating.GREEN)

    scale = project.portfolio.rating_scale
    dimensions = {}
    for name in (*DIMENSIONS, "reporting", "dependencies"):
        reported = getattr(report, name, None) or None if name in DIMENSIONS else None
        dimensions[name] = Dimension(
            reported=on_scale(reported, scale),
            computed=on_scale(computed[name].value, scale) if name in computed else None,
        )
    return Assessment(
        dimensions=dimensions,
        reasons=(*reasons, *reported_reasons(report)),
        reported_overall=on_scale(report.overall or None, scale) if report else None,
    )


def _cost(project: Project, policy: HealthPolicy) -> tuple[dict[str, Rating], list[Reason]]:
    """The computed cost rating (forecast at completion against budget) and its reasons.
    Unknown is not over budget: an unknown budget gives no rating, and a reason saying so."""
    threshold = f"amber from {policy.cost_amber_percent}%, red from {policy.cost_red_percent}%"
    if project.budget is None:
        message = "Budget unknown: the forecast cost cannot be checked against it"
        return {}, [Reason("cost", "cost.budget_unknown", "", message, "unknown", threshold)]
    if project.budget <= 0 or project.forecast_at_completion is None:
        return {}, []
    overrun = (project.forecast_at_completion - project.budget) * 100 / project.budget
    rating = grade(overrun, policy.cost_amber_percent, policy.cost_red_percent)
    if rating == Rating.GREEN:
        return {"cost": rating}, []
    message = f"Forecast at completion {overrun:.1f}% over budget"
    reason = Reason("cost", "cost.overrun", rating.value, message, f"{overrun:.1f}%", threshold)
    return {"cost": rating}, [reason]


def reported_reasons(report: StatusReport | None) -> list[Reason]:
    """The manager's own one-line reasons, shown beside the computed ones."""
    if report is None:
        return []
    return [
        Reason(
            name,
            "reported",
            getattr(report, name),
            getattr(report, f"{name}_reason"),
            "reported by the project manager",
        )
        for name in (*DIMENSIONS, "overall")
        if getattr(report, name)
        and getattr(report, name) != Rating.GREEN
        and getattr(report, f"{name}_reason")
    ]
