"""Every health panel says when it was computed and whether a recomputation is pending; a
portfolio page says how far its policy's latest change has reached."""

from django.test import Client

from portfolio.health import rollup
from portfolio.health.models import HealthRequest
from portfolio.health.requests import health_request
from programmes.models import HealthPolicy
from tests.conftest import Cast


def test_the_project_panel_says_when_health_was_computed_and_not_that_it_waits(
    cast: Cast,
) -> None:
    rollup.recompute_everything()
    HealthRequest.objects.all().delete()
    page = cast.client_for(cast.pmo).get(cast.project_a1.get_absolute_url())
    assert b'data-testid="health-freshness"' in page.content
    assert b"As of " in page.content
    assert b"recomputing" not in page.content


def test_the_project_panel_says_recomputing_while_a_request_waits(cast: Cast) -> None:
    rollup.recompute_everything()
    HealthRequest.objects.all().delete()
    health_request(subject="project", subject_id=cast.project_a1.pk)
    page = cast.client_for(cast.pmo).get(cast.project_a1.get_absolute_url())
    assert b"recomputing" in page.content


def test_a_polled_programme_dashboard_changes_when_its_recomputation_starts_waiting(
    cast: Cast,
) -> None:
    rollup.recompute_everything()
    HealthRequest.objects.all().delete()
    client: Client = cast.client_for(cast.programme_manager)
    url = f"/programmes/{cast.programme_a1.pk}/dashboard/"
    shown = client.get(url).context["health_version"]
    poll = {"health_since": str(shown)}
    assert client.get(url, poll, headers={"HX-Request": "true"}).status_code == 204
    health_request(subject="programme", subject_id=cast.programme_a1.pk)
    answer = client.get(url, poll, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and b"recomputing" in answer.content


def test_the_portfolio_page_counts_the_subjects_a_policy_change_still_waits_for(
    cast: Cast,
) -> None:
    HealthRequest.objects.all().delete()
    policy, _ = HealthPolicy.objects.get_or_create(portfolio=cast.portfolio_a)
    policy.rollup = HealthPolicy.Rollup.RED_SHARE
    policy.save()
    waiting = HealthRequest.objects.count()
    page = cast.client_for(cast.pmo).get(cast.portfolio_a.get_absolute_url())
    assert f'data-pending="{waiting}"'.encode() in page.content
    assert b"still to go" in page.content

    rollup.recompute_pending()
    rollup.recompute_pending()
    page = cast.client_for(cast.pmo).get(cast.portfolio_a.get_absolute_url())
    assert b'data-pending="0"' in page.content
    assert b"has reached every programme and project" in page.content
