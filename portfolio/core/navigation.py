"""Where each role lands after login and which sections its navigation shows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse

from portfolio.core.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[Role]
    menu: str = ""  # the menu it sits in; "" for the bar itself

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class NavMenu:
    label: str
    items: tuple[NavItem, ...]

    def holds(self, path: str) -> bool:
        return any(item.url == path for item in self.items)


_ALL = frozenset(Role)
_PMO = frozenset({Role.PMO})
_PLANNERS = frozenset({Role.PMO, Role.PROGRAMME_MANAGER})
PORTFOLIO, DELIVERY, RESOURCES = "Portfolio", "Delivery", "Resources"
NAV_ITEMS = (
    NavItem("Dashboard", "dashboards:portfolio", frozenset({Role.PMO, Role.EXECUTIVE})),
    NavItem("My projects", "projects:mine", frozenset({Role.PROJECT_MANAGER})),
    NavItem("My programmes", "programmes:mine", frozenset({Role.PROGRAMME_MANAGER})),
    NavItem("Timeline", "timeline:index", _ALL),
    NavItem(
        "Portfolios", "dashboards:portfolio-list", frozenset({Role.PMO, Role.EXECUTIVE}), PORTFOLIO
    ),
    NavItem("Programmes", "programmes:list", _ALL, PORTFOLIO),
    NavItem("Projects", "projects:list", _ALL, PORTFOLIO),
    NavItem(
        "Board packs",
        "boardpacks:list",
        frozenset({Role.PMO, Role.EXECUTIVE, Role.PROGRAMME_MANAGER}),
        PORTFOLIO,
    ),
    NavItem("Imports", "imports:list", _PMO, PORTFOLIO),
    NavItem("Reporting", "projects:reporting", _PMO, DELIVERY),
    NavItem("Risks", "projects:risk-list", _ALL, DELIVERY),
    NavItem("Issues", "projects:issue-list", _ALL, DELIVERY),
    NavItem("People", "programmes:person-list", _PLANNERS, RESOURCES),
    NavItem("Teams", "programmes:team-list", _PMO, RESOURCES),
    NavItem("Capacity", "dashboards:capacity", _PLANNERS, RESOURCES),
    NavItem("Scenarios", "scenarios:list", _PLANNERS, RESOURCES),
)

# The first of the user's roles in this order decides the landing page.
LANDING = {
    Role.PMO: "dashboards:portfolio-list",
    Role.EXECUTIVE: "dashboards:portfolio",
    Role.PROGRAMME_MANAGER: "programmes:mine",
    Role.PROJECT_MANAGER: "projects:mine",
}


def nav_for(roles: list[Role]) -> list[NavItem | NavMenu]:
    """The bar: the role's own pages, then a menu per area (a menu that would hold one page
    is that page), so a PMO reads five entries, not sixteen."""
    held = set(roles)
    by_menu: dict[str, list[NavItem]] = defaultdict(list)
    for item in NAV_ITEMS:
        if item.roles & held:
            by_menu[item.menu].append(item)
    entries: list[NavItem | NavMenu] = list(by_menu.pop("", []))
    for label, items in by_menu.items():
        entries.append(items[0] if len(items) == 1 else NavMenu(label, tuple(items)))
    return entries


def landing_for(roles: list[Role]) -> str:
    for role in LANDING:
        if role in roles:
            return reverse(LANDING[role])
    return reverse("no-access")
