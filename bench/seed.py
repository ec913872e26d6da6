"""A large synthetic organisation for the benchmark, written with bulk_create.

The shape follows the US federal IT dashboard (tests/data/us-it-dashboard-projects.csv):
26 portfolios, 437 programmes and 1,547 projects, most programmes small and a few large
(the largest has 60 projects). Names and figures are synthetic; a fixed seed makes every
run write the same rows. Logins share the demo's usernames and password, so the same
page targets work on the demo database and on this one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from itertools import islice, pairwise
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models

from portfolio.core.periods import Period
from portfolio.core.ratings import SCALES, Rating, worst
from portfolio.demo.organisation import DEMO_PASSWORD, ISSUES, REASONS, RISKS
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
    DIMENSIONS,
    Allocation,
    Dependency,
    DerivedForecast,
    Issue,
    Milestone,
    Project,
    Risk,
    StatusReport,
)

BATCH = 5000
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Sizes:
    portfolios: int = 26
    programmes: int = 437
    projects: int = 1547
    report_weeks: int = 104  # weeks of submitted reports before this one
    risks: int = 15_000
    issues: int = 5_000
    people: int = 500
    teams: int = 20
    trend_weeks: int = 4  # weekly health snapshots rebuilt with record_past_week
    largest_programme: int = 60
    pm_projects: int = 8  # the "pm" login's own projects
    # The mixed load's cast (bench.load): each a login of their own.
    load_project_managers: int = 20
    load_projects_each: int = 3
    load_programme_managers: int = 6
    load_executives: int = 4

    def times(self, factor: int) -> Sizes:
        """The organisation `factor` times as large; the people who use it stay the same:
        the pm's own projects, the mixed load's cast, the weeks of history."""
        return Sizes(
            portfolios=self.portfolios * factor,
            programmes=self.programmes * factor,
            projects=self.projects * factor,
            report_weeks=self.report_weeks,
            risks=self.risks * factor,
            issues=self.issues * factor,
            people=self.people * factor,
            teams=self.teams * factor,
            trend_weeks=self.trend_weeks,
            largest_programme=self.largest_programme * factor,
            pm_projects=self.pm_projects,
        )


LARGE = Sizes()
TINY = Sizes(
    portfolios=3,
    programmes=6,
    projects=20,
    report_weeks=6,
    risks=60,
    issues=15,
    people=20,
    teams=3,
    trend_weeks=1,
    largest_programme=6,
    pm_projects=3,
    load_project_managers=3,
    load_projects_each=2,
    load_programme_managers=2,
    load_executives=2,
)

# Username → (name, access). The same usernames as portfolio.demo.DEMO_LOGINS.
LOGINS = {
    "pmo": ("Priya Shah", Person.Access.PMO),
    "executive": ("Edward Clarke", Person.Access.EXECUTIVE),
    "progman": ("Grace Okafor", Person.Access.STAFF),
    "pm": ("Peter Novak", Person.Access.STAFF),
}


def _batched(items: Iterable[M], size: int = BATCH) -> Iterator[list[M]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(model: type[M], rows: Iterable[M]) -> list[M]:
    """bulk_create in batches, streaming, so 160,000 reports never sit in memory at once."""
    created: list[M] = []
    for chunk in _batched(rows):
        created.extend(model._default_manager.bulk_create(chunk))
    return created


def _split(total: int, parts: int, largest: int, rng: random.Random) -> list[int]:
    """`total` items over `parts` groups, each at least one: the first group gets `largest`,
    the others a skewed share (a few big, most small, as programmes are in the real data),
    each smaller than the first unless there are too many items for that."""
    sizes = [1] * parts
    sizes[0] = max(1, min(largest, total - (parts - 1)))
    rest = total - sizes[0]
    cap = max(sizes[0] - 1, -(-rest // max(1, parts - 1)))
    weights = [0.0] + [1 / (i + 1) ** 0.8 for i in range(1, parts)]
    for _ in range(total - sum(sizes)):
        pick = rng.choices(range(parts), weights)[0]
        sizes[pick] += 1
        if sizes[pick] >= cap:
            weights[pick] = 0.0
    return sizes


@dataclass
class _Org:
    """What later steps need from earlier ones."""

    rng: random.Random
    today: date
    logins: dict[str, Person]
    pool: list[Person]
    portfolios: list[Portfolio]
    programmes: list[Programme]
    projects: list[Project]
    milestones: dict[int, list[Milestone]]


def _logins() -> dict[str, Person]:
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: it is slow on purpose
    users = User.objects.bulk_create(
        User(username=name, email=f"{name}@example.org", password=password) for name in LOGINS
    )
    people = Person.objects.bulk_create(
        Person(user=user, name=LOGINS[user.username][0], email=user.email,
               access=LOGINS[user.username][1], job_title="Bench login")
        for user in users
    )  # fmt: skip
    return {person.user.username: person for person in people if person.user}


def load_username(role: str, n: int) -> str:
    """The mixed load's logins: pm01…pm20, progman01…progman06, executive01…executive04."""
    return f"{role}{n + 1:02d}"


def _load_cast(org: _Org, sizes: Sizes) -> dict[str, int]:
    """A login for each person of the mixed load, each with work of their own: project
    managers of a few delivery projects in programmes (not the "pm" login's), programme
    managers of the largest programmes after the "progman" login's, executives of every
    portfolio (so they see what the "executive" login sees). No random draws, so the rest of
    the organisation is the same as without them."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    roles = [
        ("pm", sizes.load_project_managers, Person.Access.STAFF),
        ("progman", sizes.load_programme_managers, Person.Access.STAFF),
        ("executive", sizes.load_executives, Person.Access.EXECUTIVE),
    ]
    names = [
        (load_username(role, n), access) for role, count, access in roles for n in range(count)
    ]
    users = User.objects.bulk_create(
        User(username=name, email=f"{name}@example.org", password=password) for name, _ in names
    )
    people = Person.objects.bulk_create(
        Person(user=user, name=f"Load {user.username}", email=user.email, access=access,
               job_title="Bench mixed load")
        for user, (_, access) in zip(users, names, strict=True)
    )  # fmt: skip
    by_role: dict[str, list[Person]] = {role: [] for role, _, _ in roles}
    for person, (name, _) in zip(people, names, strict=True):
        by_role[name.rstrip("0123456789")].append(person)
    pm = org.logins["pm"]
    candidates = [
        p
        for p in org.projects
        if p.programme_id and p.manager_id != pm.pk and p.stage == Project.Stage.DELIVERY
    ]
    wanted = len(by_role["pm"]) * sizes.load_projects_each
    stride = max(1, len(candidates) // max(1, wanted))
    chosen = candidates[::stride][:wanted]
    for i, project in enumerate(chosen):
        project.manager = by_role["pm"][i % len(by_role["pm"])]
    Project.objects.bulk_update(chosen, ["manager"])
    size = {g.pk: 0 for g in org.programmes}
    for project in org.projects:
        if project.programme_id:
            size[project.programme_id] += 1
    progman = org.logins["progman"]
    largest = sorted(
        (g for g in org.programmes if g.manager_id != progman.pk), key=lambda g: (-size[g.pk], g.pk)
    )[: len(by_role["progman"])]
    for programme, person in zip(largest, by_role["progman"], strict=False):
        programme.manager = person
    Programme.objects.bulk_update(largest, ["manager"])
    through = Portfolio.executives.through
    through.objects.bulk_create(
        through(portfolio_id=p.pk, person_id=person.pk)
        for person in by_role["executive"]
        for p in org.portfolios
    )
    return {"load_logins": len(people), "load_projects": len(chosen)}


def _people(rng: random.Random, sizes: Sizes, logins: dict[str, Person]) -> list[Person]:
    teams = Team.objects.bulk_create(Team(name=f"Team {i + 1:02d}") for i in range(sizes.teams))
    for i, person in enumerate(logins.values()):
        person.team = teams[i % len(teams)]
    Person.objects.bulk_update(list(logins.values()), ["team"])
    return Person.objects.bulk_create(
        Person(
            name=f"Person {i + 1:03d}",
            email=f"person{i + 1:03d}@example.org",
            team=teams[i % len(teams)],
            job_title=rng.choice(["Developer", "Analyst", "Architect", "Tester", "Designer"]),
            weekly_capacity_hours=rng.choice([Decimal("37.5"), Decimal("30"), Decimal("22.5")]),
        )
        for i in range(sizes.people)
    )


def _portfolios(sizes: Sizes, logins: dict[str, Person]) -> list[Portfolio]:
    portfolios = Portfolio.objects.bulk_create(
        Portfolio(
            code=f"AG{i + 1:02d}",
            name=f"Agency {i + 1:02d}",
            rating_scale=Portfolio.RatingScale.DCA if i % 5 == 4 else "rag3",
        )
        for i in range(sizes.portfolios)
    )
    # Mostly worst-of (the default); a few portfolios weigh by budget or count reds.
    rollups = [HealthPolicy.Rollup.WORST_OF] * 3 + [
        HealthPolicy.Rollup.BUDGET_WEIGHTED,
        HealthPolicy.Rollup.RED_SHARE,
    ]
    HealthPolicy.objects.bulk_create(
        HealthPolicy(portfolio=p, rollup=rollups[i % len(rollups)])
        for i, p in enumerate(portfolios)
    )
    through = Portfolio.executives.through
    through.objects.bulk_create(
        through(portfolio_id=p.pk, person_id=logins["executive"].pk) for p in portfolios
    )
    return portfolios


def _programmes(
    rng: random.Random,
    today: date,
    sizes: Sizes,
    portfolios: list[Portfolio],
    logins: dict[str, Person],
    pool: list[Person],
) -> list[Programme]:
    """The first programme is the largest and is the "progman" login's, who runs two more."""
    per_portfolio = _split(sizes.programmes, len(portfolios), max(1, sizes.programmes // 8), rng)
    owners = [p for p, n in zip(portfolios, per_portfolio, strict=True) for _ in range(n)]
    rows = []
    for i, portfolio in enumerate(owners):
        start = today - timedelta(days=rng.randint(400, 900))
        rows.append(
            Programme(
                portfolio=portfolio,
                code=f"INV{i + 1:03d}",
                name=f"Investment {i + 1:03d}",
                objective="Deliver the investment's outcomes.",
                manager=logins["progman"] if i in (0, 7, 19) else rng.choice(pool),
                sponsor=logins["executive"],
                start_date=start,
                finish_date=start + timedelta(days=rng.randint(900, 1500)),
                budget=Decimal(rng.randint(2, 80)) * Decimal(1_000_000),
                stage=Programme.Stage.DELIVERY,
            )
        )
    return Programme.objects.bulk_create(rows)


def _projects(org: _Org, sizes: Sizes, project_managers: list[Person]) -> list[Project]:
    """Projects per programme by `_split`; about 3% stand alone in their portfolio."""
    rng = org.rng
    standalone = max(1, sizes.projects * 3 // 100)
    per_programme = _split(
        sizes.projects - standalone, len(org.programmes), sizes.largest_programme, rng
    )
    parents: list[tuple[Portfolio, Programme | None]] = [
        (g.portfolio, g)
        for g, n in zip(org.programmes, per_programme, strict=True)
        for _ in range(n)
    ]
    parents += [(rng.choice(org.portfolios), None) for _ in range(standalone)]
    # The "pm" login leads the first projects of a few different programmes.
    pm_rows = set(range(0, len(parents), max(1, len(parents) // sizes.pm_projects)))
    pm_rows = set(sorted(pm_rows)[: sizes.pm_projects])
    rows = []
    for i, (portfolio, programme) in enumerate(parents):
        start = org.today - timedelta(days=rng.randint(740, 1000))
        finish = start + timedelta(days=rng.randint(900, 1600))
        budget = Decimal(rng.randint(150, 4000)) * Decimal(1000)
        progress = Decimal(rng.randint(5, 95)) / 100
        rows.append(
            Project(
                portfolio=portfolio,
                programme=programme,
                code=f"P{i + 1:04d}",
                name=f"Project {i + 1:04d}",
                objective="Deliver the project's products.",
                manager=org.logins["pm"] if i in pm_rows else rng.choice(project_managers),
                baseline_start=start,
                baseline_finish=finish,
                forecast_finish=finish
                + timedelta(days=rng.choice([0, 0, 0, 0, 0, 0, 5, 10, 21, 45, -7])),
                budget=budget,
                spend_to_date=(budget * progress).quantize(Decimal("1")),
                forecast_at_completion=(
                    budget * Decimal(rng.choice(["0.95", "1", "1", "1", "1", "1", "1.03", "1.07"]))
                ).quantize(Decimal("1")),
                priority=rng.choice(list(Project.Priority.values)),
                stage=rng.choice(
                    [Project.Stage.DELIVERY] * 6 + [Project.Stage.PLANNING, Project.Stage.CLOSED]
                ),
            )
        )
    return Project.objects.bulk_create(rows, batch_size=BATCH)


def _milestones(org: _Org) -> dict[int, list[Milestone]]:
    rng, rows = org.rng, []
    for project in org.projects:
        span = project.baseline_finish - project.baseline_start
        for n, label in enumerate(["Design approved", "Build complete", "Go live"]):
            baseline = project.baseline_start + span * (n + 1) / 3
            slip = timedelta(days=rng.choice([0, 0, 0, 0, 3, 7, 16]))
            rows.append(
                Milestone(
                    project=project,
                    name=label,
                    baseline_date=baseline,
                    forecast_date=baseline + slip,
                    actual_date=baseline + slip if baseline + slip < org.today else None,
                )
            )
    found: dict[int, list[Milestone]] = {}
    for milestone in _insert(Milestone, rows):
        found.setdefault(milestone.project_id, []).append(milestone)
    return found


def _dependencies(org: _Org) -> int:
    """Chains inside programmes plus some links across programmes of one portfolio. The
    upstream always has the smaller id, so the graph is acyclic by construction."""
    rng = org.rng
    by_programme: dict[int, list[Project]] = {}
    by_portfolio: dict[int, list[Project]] = {}
    for project in org.projects:
        by_portfolio.setdefault(project.portfolio_id, []).append(project)
        if project.programme_id:
            by_programme.setdefault(project.programme_id, []).append(project)
    pairs: set[tuple[Project, Project]] = set()
    for members in by_programme.values():
        pairs.update(pairwise(members[:4]))
    for members in by_portfolio.values():
        for _ in range(len(members) // 10):
            a, b = sorted(rng.sample(members, 2), key=lambda p: p.pk)
            pairs.add((a, b))
    rows = [
        Dependency(
            upstream=up,
            downstream=down,
            upstream_milestone=org.milestones[up.pk][0],
            downstream_milestone=org.milestones[down.pk][-1],
            description=f"{down.name} builds on {up.name}",
        )
        for up, down in pairs
        if up.pk != down.pk
    ]
    return len(_insert(Dependency, rows))


def _allocations(org: _Org) -> int:
    """Two or three people per project; a few end up over their capacity."""
    rng = org.rng
    rows = [
        Allocation(
            person=person,
            project=project,
            start_date=project.baseline_start,
            finish_date=project.baseline_finish,
            percent=rng.choice([5, 10, 10, 15, 20]),
        )
        for project in org.projects
        for person in rng.sample(org.pool, rng.choice([2, 2, 3]))
    ]
    return len(_insert(Allocation, rows))


def _registers(org: _Org, sizes: Sizes) -> tuple[int, int]:
    """One risk per programme; the rest of the risks and all issues on projects."""
    rng, today = org.rng, org.today
    programme_risks = [
        Risk(
            programme=g,
            title="Funding not confirmed for next year",
            probability=rng.choice([2, 3]),
            impact=rng.choice([3, 4, 5]),
            owner=g.manager,
            response="Business case refresh.",
        )
        for g in org.programmes
    ]

    def project_risk() -> Risk:
        project = rng.choice(org.projects)
        title, response = rng.choice(RISKS)
        return Risk(
            project=project,
            title=title,
            response=response,
            owner=project.manager,
            probability=rng.choice([1, 1, 2, 2, 3, 3, 4]),
            impact=rng.choice([1, 2, 2, 3, 3, 4, 4, 5]),
            proximity=rng.choice(list(Risk.Proximity.values)),
            status=rng.choice(
                [Risk.Status.OPEN] * 5 + [Risk.Status.MITIGATING, Risk.Status.CLOSED]
            ),
        )

    count = max(0, sizes.risks - len(programme_risks))
    risks = _insert(Risk, [*programme_risks, *(project_risk() for _ in range(count))])
    issues = _insert(
        Issue,
        (
            Issue(
                project=rng.choice(org.projects),
                title=rng.choice(ISSUES),
                owner=rng.choice(org.pool),
                severity=rng.choice([1, 1, 2, 2, 2, 3, 4]),
                due_date=today + timedelta(days=rng.randint(-10, 80)),
                status=rng.choice([Issue.Status.OPEN] * 4 + [Issue.Status.CLOSED]),
            )
            for _ in range(sizes.issues)
        ),
    )
    return len(risks), len(issues)


def _programme_records(org: _Org) -> tuple[int, int, int]:
    """A benefit per programme with monthly measurements, and two stakeholders."""
    rng, today = org.rng, org.today
    benefits = Benefit.objects.bulk_create(
        Benefit(
            programme=g,
            name=f"{g.name}: cost savings",
            owner=rng.choice(org.pool),
            measure="Annual running cost saved",
            unit="£k",
            baseline=Decimal(0),
            target=Decimal(rng.randint(400, 2000)),
            target_date=today + timedelta(days=rng.randint(200, 700)),
        )
        for g in org.programmes
    )
    measurements = _insert(
        BenefitMeasurement,
        (
            BenefitMeasurement(
                benefit=b,
                measured_on=today - timedelta(days=30 * months_ago),
                value=(b.target * Decimal(rng.randint(8, 14) - months_ago) / 24).quantize(
                    Decimal("1")
                ),
            )
            for b in benefits
            for months_ago in range(rng.randint(4, 8), -1, -1)
        ),
    )
    stakeholders = _insert(
        Stakeholder,
        (
            Stakeholder(
                programme=g,
                name=name,
                organisation=org_name,
                influence=rng.randint(1, 5),
                interest=rng.randint(1, 5),
                current_engagement=rng.choice(list(Stakeholder.Engagement.values)),
            )
            for g in org.programmes
            for name, org_name in [("Finance Director", "Finance"), ("Staff union", "Unions")]
        ),
    )
    return len(benefits), len(measurements), len(stakeholders)


def _reports(org: _Org, weeks: int) -> int:
    """`weeks` weeks of submitted reports per project, then this week: some submitted, some
    drafts, the rest not yet. Ratings drift and recover as in portfolio.demo."""
    rng, today = org.rng, org.today
    this_week = Period.containing(today)
    author = org.logins["pm"].user

    def rows() -> Iterator[StatusReport]:
        for project in org.projects:
            scale = list(SCALES[project.portfolio.rating_scale])
            level = dict.fromkeys(DIMENSIONS, 0)
            for weeks_back in range(weeks, -1, -1):
                period = this_week.previous(weeks_back)
                for name in DIMENSIONS:
                    step = rng.choices([-1, 0, 1], weights=[5 if level[name] else 0, 14, 0.6])[0]
                    level[name] = max(0, min(len(scale) - 1, level[name] + step))
                roll = rng.random()
                if (weeks_back == 0 and roll < 0.5) or (weeks_back > 0 and roll < 0.02):
                    continue  # not reported yet this week, or a missed week
                ratings = {name: scale[level[name]] for name in DIMENSIONS}
                ratings["overall"] = worst(ratings.values()) or Rating.GREEN
                draft = weeks_back == 0 and roll < 0.7
                late = rng.randint(1, 5) if rng.random() < 0.12 else 0
                submitted_on = min(today, period.due_date(4) + timedelta(days=late))
                yield StatusReport(
                    project=project,
                    period_start=period.start,
                    author=author if project.manager_id == org.logins["pm"].pk else None,
                    state=StatusReport.State.DRAFT if draft else StatusReport.State.SUBMITTED,
                    submitted_at=None
                    if draft
                    else datetime.combine(submitted_on, clock(16, 30), tzinfo=UTC),
                    percent_complete=min(100, weeks - weeks_back),
                    forecast_finish=project.forecast_finish,
                    spend_to_date=project.spend_to_date,
                    forecast_at_completion=project.forecast_at_completion,
                    accomplishments="Completed sprint demo",
                    next_steps="Start integration testing",
                    **ratings,
                    **{
                        f"{name}_reason": REASONS[name][0]
                        for name, value in ratings.items()
                        if value != Rating.GREEN
                    },
                )

    return len(_insert(StatusReport, rows()))


def _health(today: date, trend_weeks: int) -> None:
    """Weekly snapshots rebuilt from the reports (so trends exist), then today's health."""
    from portfolio.health import rollup

    monday = Period.containing(today).start
    for weeks_back in range(trend_weeks, 0, -1):
        day = monday - timedelta(weeks=weeks_back)
        rollup.record_past_week(datetime.combine(day, clock(6, 0), tzinfo=UTC))
    rollup.recompute_everything(today)


def _derived_forecasts() -> int:
    """Where the seeded slips push each project, written in bulk as the refresh job would
    have stored them (without its signals: the roll-up below reads them)."""
    from projects.impact import derived_pushes, read_impact_graph

    pushes = derived_pushes(read_impact_graph())
    rows = (DerivedForecast(project_id=pk, **asdict(push)) for pk, push in pushes.items())
    return len(_insert(DerivedForecast, rows))


def analyze_tables() -> None:
    """Planner statistics for what was just written (PostgreSQL; a no-op elsewhere)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed(
    sizes: Sizes = LARGE,
    today: date | None = None,
    log: Callable[[str], Any] = print,
) -> dict[str, int]:
    """Write the organisation into the (empty) default database; returns the row counts.

    Each step is timed and logged, so a slow step shows up in the bench output.
    """
    today = today or date.today()
    rng = random.Random(2026)
    counts: dict[str, int] = {}

    def step(label: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = work()
        log(f"  seeded {label:<28} {time.perf_counter() - started:6.1f} s")
        return result

    logins = step("logins", _logins)
    pool = step("teams and people", lambda: _people(rng, sizes, logins))
    portfolios = step("portfolios", lambda: _portfolios(sizes, logins))
    programmes = step(
        "programmes", lambda: _programmes(rng, today, sizes, portfolios, logins, pool)
    )
    org = _Org(rng, today, logins, pool, portfolios, programmes, [], {})
    org.projects = step("projects", lambda: _projects(org, sizes, pool))
    counts.update(step("the mixed load's logins", lambda: _load_cast(org, sizes)))
    org.milestones = step("milestones", lambda: _milestones(org))
    counts.update(
        portfolios=len(portfolios),
        programmes=len(programmes),
        projects=len(org.projects),
        people=len(pool) + len(logins),
        logins=len(logins),
        milestones=sum(len(m) for m in org.milestones.values()),
        dependencies=step("dependencies", lambda: _dependencies(org)),
        allocations=step("allocations", lambda: _allocations(org)),
    )
    counts["risks"], counts["issues"] = step("risks and issues", lambda: _registers(org, sizes))
    counts["benefits"], counts["benefit_measurements"], counts["stakeholders"] = step(
        "benefits and stakeholders", lambda: _programme_records(org)
    )
    counts["status_reports"] = step(
        f"status reports ({sizes.report_weeks} weeks)", lambda: _reports(org, sizes.report_weeks)
    )
    counts["derived_forecasts"] = step("derived forecasts", _derived_forecasts)
    # Planner statistics before the roll-up's joins: without them (a test's transaction,
    # where autovacuum never looks) PostgreSQL may plan those joins for empty tables and
    # take minutes.
    step("statistics (ANALYZE)", analyze_tables)
    step(
        f"health (+{sizes.trend_weeks} weekly snapshots)",
        lambda: _health(today, sizes.trend_weeks),
    )
    counts["trend_weeks"] = sizes.trend_weeks
    return counts
