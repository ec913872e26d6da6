"""The health engine's own fragments (the pages that show health are the dashboards')."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from portfolio.health.freshness import policy_reach
from programmes.models import Portfolio


@login_required
def portfolio_policy_reach(request: HttpRequest, pk: int) -> HttpResponse:
    """The policy-reach line of a portfolio page, polled while subjects wait."""
    portfolio = get_object_or_404(Portfolio.objects.visible_to(request.user), pk=pk)
    return render(request, "health/policy_reach.html", {"reach": policy_reach(portfolio)})
