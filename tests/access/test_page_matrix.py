"""Every page route against every role: the page side of the role x route matrix (the API
side is tests/access/test_api_access.py). A route missing from the table fails the build,
so a new page cannot ship without saying who may open it.

Columns: PMO, executive (of portfolio A), manager of programme A1, manager of project A1,
manager of project B1, an outsider with a login, and an anonymous visitor.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver
from django.utils import timezone

from portfolio.accounts.models import ApiToken
from portfolio.boardpacks.models import BoardPack
from portfolio.calendars.models import CalendarFeed
from portfolio.imports.models import ImportJob
from portfolio.notifications.models import Notification
from portfolio.scenarios.models import Scenario, ScenarioChange
from programmes.models import Benefit, BenefitMeasurement, Stakeholder
from projects.models import StatusReport
from tests.conftest import ROLES_AND_ANONYMOUS, Cast
from tests.factories import (
    AllocationFactory,
    DependencyFactory,
    MilestoneFactory,
    RiskFactory,
    TeamFactory,
)

LOGIN = 302  # anonymous visitors are sent to log in

EVERYONE = (200, 200, 200, 200, 200, 200, LOGIN)
PMO_PAGE = (200, 403, 403, 403, 403, 403, LOGIN)
PMO_ROW = (200, 404, 404, 404, 404, 404, LOGIN)
READS_A1 = (200, 200, 200, 200, 404, 404, LOGIN)
MANAGES_A1 = (200, 404, 200, 404, 404, 404, LOGIN)
DELIVERS_A1 = (200, 404, 404, 200, 404, 404, LOGIN)
POST_ONLY = (405, 405, 405, 405, 405, 405, LOGIN)
PUBLIC = (200,) * 7


@dataclass
class World:
    cast: Cast
    records: dict[str, object]

    def __getattr__(self, name: str) -> object:
        return self.records.get(name) or getattr(self.cast, name)


@pytest.fixture
def world(cast: Cast) -> World:
    benefit = Benefit.objects.create(
        programme=cast.programme_a1,
        name="Faster",
        measure="days",
        target=10,
        target_date=date(2027, 6, 30),
    )
    return World(
        cast,
        {
            "benefit": benefit,
            "measurement": BenefitMeasurement.objects.create(
                benefit=benefit, measured_on=date(2026, 3, 1), value=2
            ),
            "stakeholder": Stakeholder.objects.create(
                programme=cast.programme_a1, name="Union", influence=3, interest=4
            ),
            "milestone": MilestoneFactory(project=cast.project_a1),
            "allocation": AllocationFactory(project=cast.project_a1),
            "dependency": DependencyFactory(
                upstream=cast.project_a1_sibling, downstream=cast.project_a1
            ),
            "risk": RiskFactory(project=cast.project_a1),
            "report": StatusReport.objects.create(
                project=cast.project_a1,
                period_start=date(2026, 11, 16),
                state="submitted",
                submitted_at=timezone.now(),
                percent_complete=5,
            ),
            "job": ImportJob.objects.create(
                filename="x.csv", data=b"a,b\n1,2\n", file_format="csv", created_by=cast.pmo.user
            ),
            "token": ApiToken.objects.issue(user=cast.pmo.user, name="t")[0],
            "team": TeamFactory(),
            "pack": BoardPack.objects.create(
                programme=cast.programme_a1,
                as_of=date(2026, 11, 2),
                requested_by=cast.pmo.user,
                status=BoardPack.Status.SUCCEEDED,
                pdf=b"%PDF-1.7",
            ),
            "scenario": Scenario.objects.create(
                name="Later", programme=cast.programme_a1, owner=cast.pmo.user
            ),
            "feed_secret": CalendarFeed.objects.issue(user=cast.pmo.user)[1],
            "notice": Notification.objects.create(
                recipient=cast.project_manager.user, kind="mention", title="Hi", event_key="k"
            ),
        },
    )


def _pk(name: str) -> Callable[[World], list[object]]:
    return lambda w: [getattr(w, name).pk]  # type: ignore[attr-defined]


def _change(scenario: Scenario) -> ScenarioChange:
    return ScenarioChange.objects.create(scenario=scenario, kind="cancel")


# route name -> (arguments from the world, query string, expected status per role)
PAGES: dict[str, tuple[Callable[[World], list[object]], str, tuple[int, ...]]] = {
    "home": (lambda w: [], "", (302,) * 7),
    "dashboards:portfolio": (lambda w: [], "", EVERYONE),
    "no-access": (lambda w: [], "", (403,) * 6 + (LOGIN,)),
    "healthz": (lambda w: [], "", PUBLIC),
    # Names a viewer may see (an outsider: none), for a searchable choice.
    "choices-search": (lambda w: ["programmes"], "", EVERYONE),
    "history": (lambda w: ["project", w.project_a1.pk], "", READS_A1),
    "health:policy-reach": (_pk("portfolio_a"), "", READS_A1),
    "login": (lambda w: [], "", PUBLIC),
    "logout": (lambda w: [], "", (405,) * 7),
    "password_change": (lambda w: [], "", EVERYONE),
    "password_change_done": (lambda w: [], "", EVERYONE),
    "password_reset": (lambda w: [], "", PUBLIC),
    "password_reset_done": (lambda w: [], "", PUBLIC),
    "password_reset_confirm": (lambda w: ["MQ", "bad-token"], "", PUBLIC),
    "password_reset_complete": (lambda w: [], "", PUBLIC),
    "programmes:list": (lambda w: [], "", EVERYONE),
    "programmes:mine": (lambda w: [], "", EVERYONE),
    "programmes:create": (lambda w: [], "", PMO_PAGE),
    "programmes:detail": (_pk("programme_a1"), "", READS_A1),
    "dashboards:programme": (_pk("programme_a1"), "", READS_A1),
    "dashboards:portfolio-programmes": (_pk("portfolio_a"), "", READS_A1),
    "dashboards:portfolio-money": (_pk("portfolio_a"), "", READS_A1),
    "programmes:edit": (_pk("programme_a1"), "", MANAGES_A1),
    "programmes:archive": (_pk("programme_a1"), "", (405, 403, 403, 403, 403, 403, LOGIN)),
    "programmes:benefit-create": (_pk("programme_a1"), "", MANAGES_A1),
    "programmes:stakeholder-create": (_pk("programme_a1"), "", MANAGES_A1),
    "programmes:benefit-edit": (_pk("benefit"), "", MANAGES_A1),
    "programmes:measurement-create": (_pk("benefit"), "", MANAGES_A1),
    "programmes:stakeholder-edit": (_pk("stakeholder"), "", MANAGES_A1),
    "dashboards:portfolio-list": (lambda w: [], "", EVERYONE),
    # Who books people: PMO and programme managers.
    "dashboards:capacity": (lambda w: [], "", (200, 403, 200, 403, 403, 403, LOGIN)),
    "dashboards:capacity-suggestions": (
        lambda w: [w.allocation.person_id],  # type: ignore[attr-defined]
        "",
        (200, 403, 200, 403, 403, 403, LOGIN),
    ),
    "dashboards:capacity-level": (lambda w: [], "", POST_ONLY),
    # Straight to the one portfolio a role reads; a choice when it reads several or none.
    "timeline:index": (lambda w: [], "", (200, 302, 302, 302, 302, 200, LOGIN)),
    "timeline:portfolio": (_pk("portfolio_a"), "", READS_A1),
    "programmes:portfolio-create": (lambda w: [], "", PMO_PAGE),
    "programmes:portfolio-detail": (_pk("portfolio_a"), "", READS_A1),
    "programmes:portfolio-edit": (_pk("portfolio_a"), "", PMO_ROW),
    "programmes:portfolio-archive": (_pk("portfolio_a"), "", (405,) + (404,) * 5 + (LOGIN,)),
    "programmes:health-policy": (_pk("portfolio_a"), "", PMO_ROW),
    "programmes:person-list": (lambda w: [], "", EVERYONE),
    "programmes:person-create": (lambda w: [], "", PMO_PAGE),
    "programmes:person-detail": (_pk("outsider"), "", EVERYONE),
    "programmes:person-edit": (_pk("outsider"), "", PMO_ROW),
    "programmes:person-archive": (_pk("outsider"), "", (405,) + (404,) * 5 + (LOGIN,)),
    "programmes:team-list": (lambda w: [], "", PMO_PAGE),
    "programmes:team-create": (lambda w: [], "", PMO_PAGE),
    "programmes:team-edit": (_pk("team"), "", PMO_ROW),
    "projects:list": (lambda w: [], "", EVERYONE),
    "projects:mine": (lambda w: [], "", EVERYONE),
    "projects:reporting": (lambda w: [], "", (200, 200, 403, 403, 403, 403, LOGIN)),
    "projects:reporting-remind": (_pk("project_a1"), "", POST_ONLY),
    "projects:reporting-remind-overdue": (lambda w: [], "", POST_ONLY),
    "projects:report-edit": (_pk("project_a1"), "", DELIVERS_A1),
    "projects:report-raise": (lambda w: [w.project_a1.pk, "risk"], "", POST_ONLY),
    "projects:report-escalate": (lambda w: [w.project_a1.pk, "risk", w.risk.pk], "", POST_ONLY),
    "projects:report-detail": (_pk("report"), "", READS_A1),
    "projects:milestone-forecast": (_pk("milestone"), "", POST_ONLY),
    "projects:create": (lambda w: [], "", PMO_PAGE),
    "projects:detail": (_pk("project_a1"), "", READS_A1),
    "projects:edit": (_pk("project_a1"), "", PMO_ROW),
    "projects:baselines": (_pk("project_a1"), "", READS_A1),
    "projects:money": (_pk("project_a1"), "", READS_A1),
    "projects:money-edit": (_pk("project_a1"), "?kind=budget", PMO_ROW),
    # PMO, the project's manager and its programme's manager.
    "projects:rebaseline": (_pk("project_a1"), "", (200, 404, 200, 200, 404, 404, LOGIN)),
    "projects:impact": (_pk("project_a1"), "?by=4", READS_A1),
    "projects:archive": (_pk("project_a1"), "", (405,) + (404,) * 5 + (LOGIN,)),
    "projects:milestone-create": (_pk("project_a1"), "", DELIVERS_A1),
    "projects:allocation-create": (_pk("project_a1"), "", MANAGES_A1),
    "projects:milestone-edit": (_pk("milestone"), "", DELIVERS_A1),
    "projects:milestone-delete": (_pk("milestone"), "", (405, 404, 404, 405, 404, 404, LOGIN)),
    "projects:allocation-edit": (_pk("allocation"), "", MANAGES_A1),
    "projects:allocation-delete": (_pk("allocation"), "", (405, 404, 405, 404, 404, 404, LOGIN)),
    # Dependencies: the programme's manager, and a project's manager for what it needs.
    "projects:dependency-create": (lambda w: [], "", (200, 403, 200, 200, 200, 403, LOGIN)),
    "projects:dependency-edit": (_pk("dependency"), "", (200, 404, 200, 200, 404, 404, LOGIN)),
    "projects:dependency-milestones": (
        lambda w: ["upstream"],
        "?upstream={project_a1}",
        (200, 403, 200, 200, 200, 403, LOGIN),
    ),
    "projects:dependency-delete": (_pk("dependency"), "", (405, 404, 405, 405, 404, 404, LOGIN)),
    "projects:risk-list": (lambda w: [], "", EVERYONE),
    "projects:issue-list": (lambda w: [], "", EVERYONE),
    "projects:register-create": (lambda w: ["risk"], "?project={project_a1}", DELIVERS_A1),
    "projects:register-detail": (lambda w: ["risk", w.risk.pk], "", READS_A1),
    "projects:register-escalate": (lambda w: ["risk", w.risk.pk], "", POST_ONLY),
    "imports:list": (lambda w: [], "", PMO_PAGE),
    "imports:new": (lambda w: [], "", PMO_PAGE),
    "imports:mapping": (_pk("job"), "", PMO_PAGE),
    "imports:read-as": (_pk("job"), "", (302, 403, 403, 403, 403, 403, LOGIN)),
    "imports:preview": (_pk("job"), "", (302, 403, 403, 403, 403, 403, LOGIN)),
    "imports:job": (
        _pk("job"),
        "",
        (302, 403, 403, 403, 403, 403, LOGIN),
    ),  # a draft job: to its mapping
    "imports:mapping-document": (_pk("job"), "", PMO_PAGE),
    "imports:problems": (_pk("job"), "", PMO_PAGE),
    "imports:rejected": (_pk("job"), "", PMO_PAGE),
    "imports:mspdi": (_pk("project_a1"), "", DELIVERS_A1),
    # Board packs: of what one reads whole; a pack is its requester's (the PMO's here).
    "boardpacks:list": (lambda w: [], "", (200, 200, 200, 403, 403, 403, LOGIN)),
    "boardpacks:detail": (_pk("pack"), "", PMO_ROW),
    "boardpacks:download": (_pk("pack"), "", PMO_ROW),
    # Scenarios: the PMO's and programme managers' (of their programmes) sandboxes.
    "scenarios:list": (lambda w: [], "", (200, 403, 200, 403, 403, 403, LOGIN)),
    "scenarios:compare": (lambda w: [], "", (200, 403, 200, 403, 403, 403, LOGIN)),
    "scenarios:detail": (_pk("scenario"), "", MANAGES_A1),
    "scenarios:apply": (_pk("scenario"), "", MANAGES_A1),
    "scenarios:discard": (_pk("scenario"), "", POST_ONLY),
    "scenarios:change-delete": (
        lambda w: [w.scenario.pk, _change(w.scenario).pk],  # type: ignore[attr-defined]
        "",
        POST_ONLY,
    ),
    "api-tokens": (lambda w: [], "", EVERYONE),
    "api-tokens-all": (lambda w: [], "", PMO_PAGE),
    "api-token-revoke": (_pk("token"), "", POST_ONLY),
    "calendars:settings": (lambda w: [], "", EVERYONE),
    "calendars:revoke": (lambda w: [], "", POST_ONLY),
    # The secret in the URL is the credential (calendar clients send no cookies).
    "calendars:feed": (lambda w: [w.feed_secret], "", PUBLIC),
    "lockouts": (lambda w: [], "", PMO_PAGE),
    "auth-events": (lambda w: [], "", PMO_PAGE),
    "unlock": (lambda w: [], "", POST_ONLY),
    "mfa": (lambda w: [], "", EVERYONE),
    # Only a session that owes its code sees the code page; any other is sent on.
    "mfa-verify": (lambda w: [], "", (302,) * 6 + (LOGIN,)),
    "mfa-disable": (lambda w: [], "", POST_ONLY),
    # Single sign-on is off unless OIDC_* is configured (tests/browser/test_sso.py turns it on).
    "oidc_authentication_init": (lambda w: [], "", (404,) * 7),
    "oidc_authentication_callback": (lambda w: [], "", (404,) * 7),
    # Everyone's own notices; the rows are fetched from the viewer's own (tests/notifications).
    "notifications:list": (lambda w: [], "", EVERYONE),
    "notifications:bell": (lambda w: [], "", EVERYONE),
    "notifications:preferences": (lambda w: [], "", EVERYONE),
    "notifications:read-all": (lambda w: [], "", POST_ONLY),
    "notifications:open": (_pk("notice"), "", POST_ONLY),
    "notifications:read": (_pk("notice"), "", POST_ONLY),
}
# Served by other machinery, with their own tests: the admin and the API matrix.
ELSEWHERE = {"admin", "api"}


def _route_names() -> set[str]:
    def walk(patterns: list[URLPattern | URLResolver], namespace: str | None) -> set[str]:
        names: set[str] = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if inner not in ELSEWHERE:
                    names |= walk(pattern.url_patterns, inner)
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
        return names

    return walk(get_resolver().url_patterns, None)


def test_every_page_route_is_in_the_matrix() -> None:
    assert _route_names() == set(PAGES)


def test_every_role_gets_the_expected_answer_from_every_page(world: World) -> None:
    """One sweep, reporting every mismatch at once."""
    clients = {}
    for role in ROLES_AND_ANONYMOUS:
        client = Client()
        if role != "anonymous":
            client.force_login(getattr(world.cast, role).user)
        clients[role] = client
    wrong = []
    for name, (args, query, expected) in PAGES.items():
        url = reverse(name, args=args(world)) + query.format(project_a1=world.project_a1.pk)
        for role, status in zip(ROLES_AND_ANONYMOUS, expected, strict=True):
            got = clients[role].get(url).status_code
            if got != status:
                wrong.append(f"{name} as {role}: {got}, expected {status}")
    assert wrong == []
