"""The PMO workspace for portfolios: a new one comes with its health policy, which the PMO
edits on its own page."""

from django.urls import reverse

from programmes.forms import StakeholderForm
from programmes.models import HealthPolicy, Portfolio
from tests.conftest import Cast


def test_a_new_portfolio_comes_with_a_health_policy(cast: Cast) -> None:
    response = cast.client_for(cast.pmo).post(
        reverse("programmes:portfolio-create"),
        {"code": "HLTH", "name": "Health Services", "rating_scale": "dca5"},
    )
    assert response.status_code == 302
    portfolio = Portfolio.objects.get(code="HLTH")
    assert HealthPolicy.objects.filter(portfolio=portfolio).exists()


def test_opening_the_health_policy_writes_nothing_and_saving_stores_it(cast: Cast) -> None:
    url = reverse("programmes:health-policy", args=[cast.portfolio_b.pk])
    client = cast.client_for(cast.pmo)
    assert client.get(url).status_code == 200
    assert not HealthPolicy.objects.filter(portfolio=cast.portfolio_b).exists()
    fields = {
        "rollup": "red_share",
        "red_share_percent": 40,
        "schedule_amber_days": 10,
        "schedule_red_days": 20,
        "cost_amber_percent": 5,
        "cost_red_percent": 10,
        "risk_amber_score": 12,
        "risk_red_score": 20,
        "stale_after_days": 14,
        "report_due_weekday": 4,
        "report_grace_days": 2,
        "overbooking": "refuse",
    }
    assert client.post(url, fields).status_code == 302
    policy = HealthPolicy.objects.get(portfolio=cast.portfolio_b)
    assert (policy.rollup, policy.red_share_percent, policy.overbooking) == (
        "red_share",
        40,
        "refuse",
    )


def test_the_stakeholder_form_offers_influence_and_interest_from_1_to_5() -> None:
    form = StakeholderForm()
    for name in ("influence", "interest"):
        attrs = form.fields[name].widget.attrs
        assert (attrs["min"], attrs["max"]) == (1, 5)
