"""An executive watches the portfolio dashboard while the PMO changes a project's budget in
one programme: through a real Celery worker that programme's card updates in place, and the
other programme's card is left as it was (the same element, not re-sent)."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import BrowserContext, expect

from portfolio.health import rollup
from programmes.models import Person, Programme
from projects.models import Project
from tests.browser.conftest import log_in
from tests.factories import PersonFactory, PortfolioFactory, ProgrammeFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programmes(celery_worker) -> tuple[Programme, Programme]:  # type: ignore[no-untyped-def]
    executive = PersonFactory(
        name="Eve Exec", access=Person.Access.EXECUTIVE, user__username="executive"
    )
    portfolio = PortfolioFactory(name="Transport")
    portfolio.executives.add(executive)
    rail = ProgrammeFactory(portfolio=portfolio, name="Rail Modernisation")
    roads = ProgrammeFactory(portfolio=portfolio, name="Roads Renewal")
    ProjectFactory(programme=rail, name="Signalling Upgrade", budget=Decimal(100_000))
    ProjectFactory(programme=roads, name="Bridge Repairs", budget=Decimal(200_000))
    rollup.recompute_everything()
    return rail, roads


def test_a_budget_change_updates_that_programmes_card_in_place_and_no_other(
    programmes: tuple[Programme, Programme],
    live_server,
    new_context: Callable[..., BrowserContext],
) -> None:
    rail, roads = programmes
    page = new_context().new_page()
    log_in(page, live_server.url, "executive")
    page.goto(f"{live_server.url}/dashboard/")
    rail_card = page.locator(f"#programme-card-{rail.pk}")
    expect(rail_card).to_contain_text("100,000")
    # Marks on the elements themselves: a swapped element loses its mark.
    page.evaluate(
        f"""() => {{
            document.getElementById("programme-card-{rail.pk}").marked = true;
            document.getElementById("programme-card-{roads.pk}").marked = true;
        }}"""
    )

    project = Project.objects.get(programme=rail)
    project.budget = Decimal(350_000)
    project.save()  # autocommit: the worker gets its job at once

    expect(rail_card).to_contain_text("350,000", timeout=15_000)
    marks = page.evaluate(
        f"""() => [
            document.getElementById("programme-card-{rail.pk}").marked === true,
            document.getElementById("programme-card-{roads.pk}").marked === true,
        ]"""
    )
    assert marks == [False, True]
    expect(page.locator(f"#programme-card-{roads.pk}")).to_contain_text("200,000")
