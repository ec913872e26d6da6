"""The navigation bar: each role's own pages, then a menu per area."""

import pytest

from portfolio.core import navigation
from portfolio.core.navigation import NavItem, NavMenu, nav_for
from portfolio.core.roles import Role


def _shape(roles: list[Role]) -> list[str | tuple[str, list[str]]]:
    return [
        (e.label, [i.label for i in e.items]) if isinstance(e, NavMenu) else e.label
        for e in nav_for(roles)
    ]


def test_the_pmo_reads_five_entries_with_every_page_in_a_menu() -> None:
    assert _shape([Role.PMO]) == [
        "Dashboard",
        "Timeline",
        ("Portfolio", ["Portfolios", "Programmes", "Projects", "Board packs", "Imports"]),
        ("Delivery", ["Reporting", "Risks", "Issues"]),
        ("Resources", ["People", "Teams", "Capacity", "Scenarios"]),
    ]


def test_a_project_manager_sees_their_projects_first_and_no_planning_pages() -> None:
    assert _shape([Role.PROJECT_MANAGER]) == [
        "My projects",
        "Timeline",
        ("Portfolio", ["Programmes", "Projects"]),
        ("Delivery", ["Risks", "Issues"]),
    ]


def test_roles_held_together_see_each_page_once() -> None:
    labels = [
        label
        for entry in nav_for([Role.PROGRAMME_MANAGER, Role.PROJECT_MANAGER])
        for label in (
            [i.label for i in entry.items] if isinstance(entry, NavMenu) else [entry.label]
        )
    ]
    assert labels[:3] == ["My projects", "My programmes", "Timeline"]
    assert len(labels) == len(set(labels))


def test_a_menu_that_would_hold_one_page_is_that_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        navigation,
        "NAV_ITEMS",
        (
            NavItem("Timeline", "timeline:index", frozenset(Role)),
            NavItem("Risks", "projects:risk-list", frozenset(Role), "Delivery"),
            NavItem("Reporting", "projects:reporting", frozenset({Role.PMO}), "Delivery"),
        ),
    )
    assert _shape([Role.EXECUTIVE]) == ["Timeline", "Risks"]
    assert _shape([Role.PMO]) == ["Timeline", ("Delivery", ["Risks", "Reporting"])]
