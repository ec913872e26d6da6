"""Where each role lands after login and which sections its navigation shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from portfolio.core.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[Role]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_ALL = frozenset(Role)
NAV_ITEMS = (
    NavItem("Dashboard", "dashboards:portfolio", frozenset({Role.PMO, Role.EXECUTIVE})),
    NavItem("My projects", "projects:mine", frozenset({Role.PROJECT_MANAGER})),
    NavItem("My programmes", "programmes:mine", frozenset({Role.PROGRAMME_MANAGER})),
    NavItem("Portfolios", "dashboards:portfolio-list", frozenset({Role.PMO, Role.EXECUTIVE})),
    NavItem("Timeline", "timeline:index", _ALL),
    NavItem("Programmes", "programmes:list", _ALL),
    NavItem("Projects", "projects:list", _ALL),
    NavItem("Reporting", "projects:reporting", frozenset({Role.PMO})),
    NavItem("Risks", "projects:risk-list", _ALL),
    NavItem("Issues", "projects:issue-list", _ALL),
    NavItem("People", "programmes:person-list", frozenset({Role.PMO, Role.PROGRAMME_MANAGER})),
    NavItem("Capacity", "dashboards:capacity", frozenset({Role.PMO, Role.PROGRAMME_MANAGER})),
    NavItem("Scenarios", "scenarios:list", frozenset({Role.PMO, Role.PROGRAMME_MANAGER})),
    NavItem("Teams", "programmes:team-list", frozenset({Role.PMO})),
    NavItem("Imports", "imports:list", frozenset({Role.PMO})),
    NavItem(
        "Board packs",
        "boardpacks:list",
        frozenset({Role.PMO, Role.EXECUTIVE, Role.PROGRAMME_MANAGER}),
    ),
)

# The first of the user's roles in this order decides the landing page.
LANDING = {
    Role.PMO: "dashboards:portfolio-list",
    Role.EXECUTIVE: "dashboards:portfolio",
    Role.PROGRAMME_MANAGER: "programmes:mine",
    Role.PROJECT_MANAGER: "projects:mine",
}


def nav_for(roles: list[Role]) -> list[NavItem]:
    held = set(roles)
    return [item for item in NAV_ITEMS if item.roles & held]


def landing_for(roles: list[Role]) -> str:
    for role in LANDING:
        if role in roles:
            return reverse(LANDING[role])
    return reverse("no-access")
