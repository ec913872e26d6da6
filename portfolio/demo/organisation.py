"""A believable demo organisation, loaded by `make run`; a second load adds nothing.

Rows are keyed by stable codes and usernames (get_or_create), and the random choices come
from a fixed seed, so every machine shows the same organisation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portfolio.core import benefits as benefit_progress
from portfolio.core.periods import Period
from portfolio.core.ratings import SCALES, Rating, worst
from portfolio.health import rollup
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
    Issue,
    Milestone,
    Project,
    Risk,
    StatusReport,
)

DEMO_PASSWORD = "stationmaster-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    access: str = Person.Access.STAFF
    # The PMO also runs the site, so it may use Django's admin (/admin/).
    admin: bool = False


DEMO_LOGINS = (
    DemoLogin("pmo", "Priya Shah", "PMO", Person.Access.PMO, admin=True),
    DemoLogin("executive", "Edward Clarke", "Executive", Person.Access.EXECUTIVE),
    DemoLogin("progman", "Grace Okafor", "Programme manager"),
    DemoLogin("pm", "Peter Novak", "Project manager"),
    DemoLogin("pm2", "Paula Reyes", "Project manager"),
)

TEAMS = ["Platform Engineering", "Data & Analytics", "Service Design", "Infrastructure", "Change"]
OTHER_PEOPLE = [
    "Amira Haddad",
    "Ben Walsh",
    "Chloe Martin",
    "Daniel Kim",
    "Ella Fitzgerald-Jones",
    "Farid Rahman",
    "Hannah Lewis",
    "Isaac Mensah",
    "Julia Nowak",
    "Kwame Asante",
    "Laura Bianchi",
    "Marcus Lee",
    "Nadia Petrova",
    "Owen Hughes",
    "Rosa Delgado",
    "Samuel Osei",
    "Tara Singh",
    "Victor Almeida",
]

# portfolio code, name, [(programme code, name, manager username or None, objective)]
PORTFOLIOS: list[tuple[str, str, list[tuple[str, str, str | None, str]]]] = [
    (
        "DTP",
        "Digital Transformation",
        [
            (
                "CDS",
                "Customer Digital Services",
                "progman",
                "Move 80% of customer transactions online by 2028.",
            ),
            ("DAT", "Data Platform", None, "One trusted source of operational data."),
            ("WPL", "Modern Workplace", None, "Every colleague on modern, secure tools."),
        ],
    ),
    (
        "INF",
        "Infrastructure & Estates",
        [
            ("NET", "Network Refresh", None, "Replace end-of-life network across 40 sites."),
            ("EST", "Estates Consolidation", None, "Reduce the estate from 12 buildings to 7."),
        ],
    ),
]

PROJECT_NAMES = {
    "CDS": [
        "Online Payments",
        "Customer Accounts",
        "Appointment Booking",
        "Digital Forms",
        "Contact Centre Replatform",
        "Notifications Service",
        "Identity Verification",
    ],
    "DAT": [
        "Data Lake Foundation",
        "Reporting Migration",
        "Master Data Management",
        "Data Quality Tooling",
        "Analytics Self-Service",
        "Records Retention",
    ],
    "WPL": [
        "Laptop Refresh",
        "Email Migration",
        "Intranet Rebuild",
        "Collaboration Suite",
        "Printing Rationalisation",
    ],
    "NET": [
        "Core Network Upgrade",
        "Site WAN Replacement",
        "Wi-Fi Rollout",
        "Network Security Zoning",
        "Telephony Migration",
    ],
    "EST": [
        "North Office Closure",
        "Head Office Refit",
        "Data Centre Exit",
        "Records Store Move",
        "Smart Building Sensors",
    ],
}
STANDALONE = [("DTP", "ACC", "Accessibility Audit"), ("INF", "ENR", "Energy Metering")]

RISKS = [
    ("Supplier delivery slips", "Weekly supplier checkpoint; contractual milestones."),
    ("Key specialist leaves", "Pair a second engineer; document runbooks."),
    ("Integration testing environment unavailable", "Book shared environment early."),
    ("Budget pressure from inflation", "Re-phase non-critical scope."),
    ("Low user adoption", "Champions network and training plan."),
    ("Data migration quality", "Trial migrations with reconciliation reports."),
]
ISSUES = [
    "Licences not yet procured",
    "Test data not available",
    "Design authority backlog",
    "Vendor defect in release 2.3",
    "Site access delayed",
]


def _user(login: DemoLogin) -> Person:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=login.username, defaults={"email": f"{login.username}@example.org"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_superuser = login.admin
        user.save()
    person, _ = Person.objects.get_or_create(
        user=user,
        defaults={
            "name": login.name,
            "email": user.email,
            "access": login.access,
            "job_title": login.role,
        },
    )
    return person


def _grant_admin() -> None:
    """Demo databases loaded before the PMO could use the admin get that access too; this
    changes two flags on an existing row and adds nothing."""
    admins = [login.username for login in DEMO_LOGINS if login.admin]
    get_user_model().objects.filter(username__in=admins).update(is_staff=True, is_superuser=True)


@transaction.atomic
def load_demo(today: date | None = None, now: datetime | None = None) -> bool:
    """Load the demo organisation; False (and nothing added) when it is already there.

    `now` caps every timestamp: a report "submitted" this afternoon must not appear before
    the afternoon has come.
    """
    if Portfolio.objects.filter(code="DTP").exists():
        _grant_admin()
        return False
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    rng = random.Random(2026)
    people = {login.username: _user(login) for login in DEMO_LOGINS}
    teams = [Team.objects.create(name=name) for name in TEAMS]
    pool = [
        Person.objects.create(
            name=name,
            email=name.lower().replace(" ", ".") + "@example.org",
            team=teams[i % len(teams)],
            job_title=rng.choice(["Developer", "Analyst", "Architect", "Tester", "Designer"]),
            weekly_capacity_hours=rng.choice([Decimal("37.5"), Decimal("30"), Decimal("22.5")]),
        )
        for i, name in enumerate(OTHER_PEOPLE)
    ]
    for person in people.values():
        if person.team is None:
            person.team = teams[0]
            person.save(update_fields=["team"])
    managers = pool[:6]
    project_managers = [people["pm"], people["pm2"], *pool[6:12]]

    all_projects: list[Project] = []
    for p_code, p_name, programmes in PORTFOLIOS:
        portfolio = Portfolio.objects.create(
            code=p_code,
            name=p_name,
            description=f"The {p_name.lower()} portfolio.",
            rating_scale=Portfolio.RatingScale.DCA if p_code == "INF" else "rag3",
        )
        portfolio.executives.add(people["executive"])
        HealthPolicy.objects.create(
            portfolio=portfolio,
            rollup=HealthPolicy.Rollup.RED_SHARE
            if p_code == "INF"
            else HealthPolicy.Rollup.BUDGET_WEIGHTED,
        )
        for index, (g_code, g_name, manager_name, objective) in enumerate(programmes):
            start = today - timedelta(days=rng.randint(200, 500))
            programme = Programme.objects.create(
                portfolio=portfolio,
                code=g_code,
                name=g_name,
                objective=objective,
                manager=people[manager_name] if manager_name else managers[index + 2],
                sponsor=people["executive"],
                start_date=start,
                finish_date=start + timedelta(days=rng.randint(700, 1100)),
                budget=Decimal(rng.randint(8, 40)) * Decimal(1_000_000),
                stage=Programme.Stage.DELIVERY,
            )
            projects = _seed_projects(rng, programme, project_managers, pool, today)
            all_projects.extend(projects)
            _seed_programme_records(rng, programme, pool, today)
        for s_portfolio, s_code, s_name in STANDALONE:
            if s_portfolio == p_code:
                all_projects.append(
                    _project(rng, portfolio, None, s_code, s_name, project_managers[-1], today)
                )
    _seed_registers(rng, all_projects, pool, today)
    _seed_reports(rng, all_projects, people, today, now)
    _seed_health(today)
    return True


def _calm(code: str) -> bool:
    """About half the projects go to plan (no slip, on budget, small risks, reported green),
    so the dashboards show green beside amber and red. Seeded by the project's code, so the
    organisation's other random choices stay as they were."""
    return random.Random(f"calm {code}").random() < 0.5


def _project(
    rng: random.Random,
    portfolio: Portfolio,
    programme: Programme | None,
    code: str,
    name: str,
    manager: Person,
    today: date,
) -> Project:
    start = today - timedelta(days=rng.randint(30, 400))
    finish = start + timedelta(days=rng.randint(180, 720))
    budget = Decimal(rng.randint(150, 4000)) * Decimal(1000)
    progress = Decimal(rng.randint(5, 95)) / 100
    slip = rng.choice([0, 0, 0, 0, 0, 5, 10, 21, 45, -7])
    overrun = Decimal(rng.choice(["0.95", "1", "1", "1", "1", "1.03", "1.07", "1.15"]))
    if _calm(code):
        slip, overrun = min(slip, 0), min(overrun, Decimal(1))
    return Project.objects.create(
        portfolio=portfolio,
        programme=programme,
        code=code,
        name=name,
        objective=f"Deliver {name.lower()}.",
        manager=manager,
        baseline_start=start,
        baseline_finish=finish,
        forecast_finish=finish + timedelta(days=slip),
        budget=budget,
        spend_to_date=(budget * progress).quantize(Decimal("1")),
        forecast_at_completion=(budget * overrun).quantize(Decimal("1")),
        priority=rng.choice(list(Project.Priority.values)),
        stage=rng.choice([Project.Stage.PLANNING, Project.Stage.DELIVERY, Project.Stage.DELIVERY]),
    )


def _seed_projects(
    rng: random.Random,
    programme: Programme,
    project_managers: list[Person],
    pool: list[Person],
    today: date,
) -> list[Project]:
    projects = []
    for i, name in enumerate(PROJECT_NAMES[programme.code]):
        # The demo PM leads three Customer Digital Services projects; pm2 leads Data Platform.
        if programme.code == "CDS" and i < 3:
            manager = project_managers[0]
        elif programme.code == "DAT" and i < 2:
            manager = project_managers[1]
        else:
            manager = rng.choice(project_managers[2:])
        project = _project(
            rng,
            programme.portfolio,
            programme,
            f"{programme.code}-{i + 1:02d}",
            name,
            manager,
            today,
        )
        for n, label in enumerate(["Design approved", "Build complete", "Go live"]):
            baseline = _start(project) + (project.baseline_finish - _start(project)) * (n + 1) / 3
            # Drawn for calm projects too (then unused), so the later draws stay as they were.
            slip = timedelta(days=rng.choice([0, 0, 0, 3, 7, 16]) * (not _calm(project.code)))
            Milestone.objects.create(
                project=project,
                name=label,
                baseline_date=baseline,
                forecast_date=baseline + slip,
                actual_date=baseline + slip if baseline + slip < today else None,
            )
        for person in rng.sample(pool, 2):
            Allocation.objects.create(
                person=person,
                project=project,
                start_date=_start(project),
                finish_date=project.baseline_finish,
                percent=rng.choice([10, 20, 20, 30]),
            )
        projects.append(project)
    # A chain of finish-to-start dependencies inside the programme (acyclic by construction).
    for upstream, downstream in pairwise(projects[:3]):
        Dependency.objects.create(
            upstream=upstream,
            downstream=downstream,
            # The downstream goes live on what the upstream has designed: usually in time.
            upstream_milestone=upstream.milestones.first(),
            downstream_milestone=downstream.milestones.last(),
            description=f"{downstream.name} builds on {upstream.name}",
        )
    return projects


# Each programme's benefit at a different stage, realised at a share of its plan's pace;
# "not measured" has no measurement yet.
BENEFIT_STAGE = {
    "CDS": "on track",
    "DAT": "behind",
    "WPL": "achieved",
    "NET": "not measured",
    "EST": "ahead",
}
BENEFIT_PACE = {
    "on track": Decimal("0.95"),
    "behind": Decimal("0.55"),
    "achieved": Decimal("1"),
    "ahead": Decimal("1.1"),
}


def _seed_programme_records(
    rng: random.Random, programme: Programme, pool: list[Person], today: date
) -> None:
    stage = BENEFIT_STAGE[programme.code]
    benefit = Benefit.objects.create(
        programme=programme,
        name=f"{programme.name}: cost savings",
        owner=rng.choice(pool),
        measure="Annual running cost saved",
        unit="£k",
        baseline=Decimal(0),
        target=Decimal(rng.randint(400, 2000)),
        # An achieved benefit met its target last month; the others are still on the way.
        target_date=today + timedelta(days=-30 if stage == "achieved" else 365),
    )
    for months_ago in (9, 6, 3, 0) if stage in BENEFIT_PACE else ():
        measured_on = today - timedelta(days=30 * months_ago)
        planned = benefit_progress.planned_value(
            baseline=benefit.baseline,
            target=benefit.target,
            start=programme.start_date or today,
            target_date=benefit.target_date,
            on=measured_on,
        )
        BenefitMeasurement.objects.create(
            benefit=benefit,
            measured_on=measured_on,
            value=min(benefit.target, planned * BENEFIT_PACE[stage]).quantize(Decimal("1")),
        )
    for name, org, influence, interest in [
        ("Finance Director", "Finance", 5, 3),
        ("Staff union", "Unions", 3, 5),
        ("Customer panel", "Customers", 2, 4),
    ]:
        Stakeholder.objects.create(
            programme=programme,
            name=name,
            organisation=org,
            influence=influence,
            interest=interest,
            current_engagement=rng.choice(list(Stakeholder.Engagement.values)),
        )
    Risk.objects.create(
        programme=programme,
        title="Programme funding not confirmed for next year",
        probability=rng.choice([2, 3]),
        impact=5,
        owner=programme.manager,
        response="Business case refresh.",
        raised_on=today - timedelta(weeks=20),
    )


def _seed_registers(
    rng: random.Random, projects: list[Project], pool: list[Person], today: date
) -> None:
    for project in projects:
        for title, response in rng.sample(RISKS, 2):
            Risk.objects.create(
                project=project,
                title=title,
                response=response,
                owner=project.manager,
                probability=min(rng.choice([1, 1, 2, 2, 3, 4]), 2 if _calm(project.code) else 5),
                impact=rng.choice([1, 2, 2, 3, 3, 4, 5]),
                proximity=rng.choice(list(Risk.Proximity.values)),
                # Raised weeks ago, as the weekly history says (no draw: the rest of the
                # demo keeps its numbers): a past board pack lists them.
                raised_on=today - timedelta(weeks=6 + len(title) % 8),
            )
        if rng.random() < 0.5:
            due = rng.randint(-6, 45)
            Issue.objects.create(
                project=project,
                title=rng.choice(ISSUES),
                owner=rng.choice(pool),
                severity=rng.choice([1, 1, 2, 2, 2, 3, 4]),
                due_date=today + timedelta(days=abs(due) if _calm(project.code) else due),
            )


REASONS = {
    "schedule": ["Supplier delivery slipped two weeks", "Testing took longer than planned"],
    "cost": ["Contractor rates rose", "Extra licences needed"],
    "scope": ["Change request under review", "New regulatory requirement"],
    "resources": ["Two developers on leave", "Architect shared with another project"],
    "risk": ["Integration risk increased", "Key supplier financially weak"],
    "overall": ["Recovery plan agreed with sponsor", "Watching closely"],
}
HISTORY_WEEKS = 26


def _start(project: Project) -> date:
    """The demo gives every project a start, so its dates and reports can be drawn from it."""
    if project.baseline_start is None:
        raise ValueError(f"demo project {project.code} has no start")
    return project.baseline_start


def _percent_complete(project: Project, on: date, lead: int) -> int:
    """The share of the baseline already elapsed on that day, `lead` points ahead (or
    behind, when negative), within 0–100."""
    duration = (project.baseline_finish - _start(project)).days
    elapsed = round(100 * (on - _start(project)).days / duration)
    return max(0, min(100, elapsed + lead))


def _spend_to_date(project: Project, on: date, today: date) -> Decimal:
    """The spend reported on that day: the project's spend so far, in step with the time
    elapsed since its start (so money by month has a history to draw)."""
    so_far = (today - _start(project)).days
    if so_far <= 0 or on >= today:
        return project.spend_to_date
    share = Decimal(max(0, (on - _start(project)).days)) / so_far
    return (project.spend_to_date * share).quantize(Decimal("1"))


# Points ahead of (or behind) the elapsed share: most projects near it, a few well off.
PROGRESS_LEAD = [0, 0, 0, 2, -3, 4, -5, -15, 10]


def _seed_reports(
    rng: random.Random,
    projects: list[Project],
    people: dict[str, Person],
    today: date,
    now: datetime,
) -> None:
    """26 weeks of submitted reports per project: mostly on time, some late, some missing;
    ratings drift week to week and progress follows the elapsed share of the baseline. This
    week: some submitted, some drafts, the rest not yet; nothing submitted after `now`."""
    this_week = Period.containing(today)
    reports = []
    for project in projects:
        # Its own generator, so the lead leaves the organisation's other choices as they were.
        lead = random.Random(project.code).choice(PROGRESS_LEAD)
        worsen = 0 if _calm(project.code) else 0.7
        scale = list(SCALES[project.portfolio.rating_scale])
        level = {name: 0 for name in DIMENSIONS}
        author = project.manager.user if project.manager and project.manager.user else None
        for weeks_back in range(HISTORY_WEEKS, -1, -1):
            period = this_week.previous(weeks_back)
            if period.end < _start(project):
                continue  # a project reports from its first week
            for name in DIMENSIONS:
                # Mean-reverting drift: most weeks stay put, trouble is rarer than recovery.
                step = rng.choices([-1, 0, 1], weights=[5 if level[name] else 0, 14, worsen])[0]
                level[name] = max(0, min(len(scale) - 1, level[name] + step))
            roll = rng.random()
            if weeks_back == 0 and roll < 0.5:
                continue  # not reported yet this week
            if weeks_back > 0 and roll < 0.07:
                continue  # a missed week
            ratings = {name: scale[level[name]] for name in DIMENSIONS}
            ratings["overall"] = worst(ratings.values()) or Rating.GREEN
            due = period.due_date(4)
            draft = weeks_back == 0 and roll < 0.7
            late_days = rng.randint(1, 5) if rng.random() < 0.12 else 0
            submitted_on = due + timedelta(days=late_days - rng.randint(0, 2) * (late_days == 0))
            submitted_at = min(
                datetime.combine(min(submitted_on, today), time(16, 30), tzinfo=UTC),
                now - timedelta(minutes=5),
            )
            reports.append(
                StatusReport(
                    project=project,
                    period_start=period.start,
                    author=author,
                    state=StatusReport.State.DRAFT if draft else StatusReport.State.SUBMITTED,
                    submitted_at=None if draft else submitted_at,
                    percent_complete=_percent_complete(project, min(period.end, today), lead),
                    forecast_finish=project.forecast_finish,
                    spend_to_date=_spend_to_date(project, min(period.end, today), today),
                    forecast_at_completion=project.forecast_at_completion,
                    accomplishments=rng.choice(
                        [
                            "Completed sprint demo",
                            "Signed off design",
                            "Migrated test data",
                            "Ran user research",
                        ]
                    ),
                    next_steps=rng.choice(
                        [
                            "Start integration testing",
                            "Prepare go-live plan",
                            "Recruit second tester",
                        ]
                    ),
                    **ratings,
                    **{
                        f"{name}_reason": rng.choice(REASONS[name])
                        for name, value in ratings.items()
                        if value != Rating.GREEN
                    },
                )
            )
    StatusReport.objects.bulk_create(reports, batch_size=500)


TREND_WEEKS = 12


def _seed_health(today: date) -> None:
    """Twelve weekly health snapshots rebuilt from the report history, then today's."""
    monday = Period.containing(today).start
    for weeks_back in range(TREND_WEEKS, 0, -1):
        day = monday - timedelta(weeks=weeks_back)
        rollup.record_past_week(datetime.combine(day, time(6, 0), tzinfo=UTC))
    rollup.recompute_everything(today)
