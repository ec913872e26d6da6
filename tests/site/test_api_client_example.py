"""The README's API example runs, as printed, against a live server with a real token."""

from __future__ import annotations

from typing import Any

import pytest

from portfolio.accounts.models import ApiToken
from portfolio.core.periods import Period
from programmes.models import Person, Programme
from projects.models import Dependency, StatusReport
from tests.conftest import ROOT
from tests.factories import PersonFactory, PortfolioFactory
from tests.site import api_client_example


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_example_client_builds_a_programme_and_reads_back_its_health(
    celery_worker: Any, live_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    pmo = PersonFactory(access=Person.Access.PMO, user__username="pmo-script")
    PortfolioFactory(name="Agency")
    _, secret = ApiToken.objects.issue(user=pmo.user, name="example")

    summary = api_client_example.run(live_server.url, secret)

    programme = Programme.objects.get(pk=summary["programme"]["id"])
    projects = list(programme.projects.order_by("name"))
    assert [p.name.split()[0] for p in projects] == ["Payments", "Platform"]
    assert Dependency.objects.filter(
        upstream__name__startswith="Platform", downstream__name__startswith="Payments"
    ).exists()
    this_week = Period.containing(StatusReport.objects.first().period_start)  # type: ignore[union-attr]
    for project in summary["projects"]:
        report = project["latest_report"]
        assert report["state"] == "submitted" and report["period"] == this_week.label
    assert StatusReport.objects.submitted().filter(project__programme=programme).count() == 2
    # The submits reached the programme's health through the worker, and the script read it.
    assert summary["health"] is not None and summary["health"]["programme"] == programme.pk
    assert summary["health"]["overall"] in {"green", "amber", "red"}
    printed = capsys.readouterr().out
    assert programme.code in printed and printed.count(": green") == 2


def test_the_readme_prints_the_example_as_it_is_tested() -> None:
    readme = (ROOT / "README.md").read_text()
    script = (ROOT / "tests" / "site" / "api_client_example.py").read_text()
    assert script.strip() in readme
