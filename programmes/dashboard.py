"""The programme dashboard: the programme's projects side by side, the roadmap with what is
late upstream, people booked beyond their capacity, risks, benefits and stakeholders.

Whoever may read the programme sees it (others get 404). The numbers come from
programmes.dashboard_data in a fixed number of queries; the charts are drawn by
static/js/programme_dashboard.js from JSON in the page.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from portfolio import live
from portfolio.http import HtmxHttpRequest
from programmes.dashboard_data import RISK_BANDS, dashboard_for
from programmes.models import HealthRecord, Programme, ProgrammeHealth
from projects.models import RATED

TEMPLATE = "programmes/programme_dashboard.html"


def _template(request: HtmxHttpRequest) -> str:
    """The whole page, or only its body when htmx refreshes it in place."""
    return f"{TEMPLATE}#dashboard-body" if request.htmx else TEMPLATE


@login_required
def programme_dashboard(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(
        Programme.objects.visible_to(request.user).select_related(
            "portfolio__health_policy", "manager", "sponsor"
        ),
        pk=pk,
    )
    moment = live.as_of(request)

    def standing() -> HealthRecord | None:
        return ProgrammeHealth.objects.filter(programme=programme).standing(moment)

    health: HealthRecord | SimpleLazyObject | None
    if request.htmx:
        health = standing()
        if live.unchanged(request, live.version_of(health)):
            return HttpResponse(status=204)  # nothing new: the open page keeps what it shows
    else:
        health = SimpleLazyObject(standing)  # a cached body (page_cache) never reads it
    context = {
        "programme": programme,
        "health": health,
        "as_of": moment,
        "poll_seconds": live.POLL_SECONDS,
    }
    if request.htmx and "health_since" in request.GET:
        return render(request, f"{TEMPLATE}#health-summary", context)
    today = timezone.localdate()
    return render(
        request,
        _template(request),
        {
            **context,
            # Lazy: a cached body (page_cache) never builds it.
            "dashboard": SimpleLazyObject(
                lambda: dashboard_for(programme=programme, user=request.user, today=today)
            ),
            "rated": RATED,
            "risk_bands": RISK_BANDS,
        },
    )
