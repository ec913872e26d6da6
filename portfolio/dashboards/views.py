"""The two dashboards.

- The executive portfolio dashboard: every portfolio the viewer reads, its programmes'
  health with trends, spend, benefits and what needs attention (`executive`).
- The portfolio list: each portfolio with its programmes and its projects' money.
- The programme dashboard: the programme's projects side by side, the roadmap with what is
  late upstream, people booked beyond their capacity, risks, benefits and stakeholders
  (`programme`); the charts are drawn by static/js/programme_dashboard.js from JSON in the
  page.

Whoever may read the subject sees it (others get 404); open, each follows health as it is
recomputed.
"""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_htmx.http import reswap, retarget

from portfolio.core import live, pagecache
from portfolio.core.http import HtmxHttpRequest
from portfolio.dashboards.executive import Overview, ProgrammeCard, health_stamp, overview
from portfolio.dashboards.programme import RISK_BANDS, dashboard_for
from portfolio.health.freshness import is_recomputing
from portfolio.health.models import HealthRecord, HealthRequest, ProgrammeHealth
from programmes.access import may_create_portfolio
from programmes.models import Portfolio, Programme
from programmes.scopes import may_see_programme, portfolio_scopes
from projects.models import RATED, Project

TEMPLATE = "dashboards/programme_dashboard.html"
EXECUTIVE = "dashboards/portfolio_dashboard.html"


def _template(request: HtmxHttpRequest) -> str:
    """The whole page, or only its body when htmx refreshes it in place."""
    return f"{TEMPLATE}#dashboard-body" if request.htmx else TEMPLATE


@login_required
def programme_dashboard(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    # Versions first, before anything the page shows is read (portfolio.core.pagecache);
    # their digest is also what the open page polls with.
    stamp = pagecache.declare(request, [pagecache.scope("programme", pk)])
    polling = request.htmx and "health_since" in request.GET
    cheap_poll = polling and stamp is not None and live.unchanged(request, stamp)
    if cheap_poll and may_see_programme(request, pk):
        return HttpResponse(status=204)  # nothing new: no SQL, no rendering
    programme = get_object_or_404(
        Programme.objects.visible_to(request.user).select_related(
            "portfolio__health_policy", "manager", "sponsor"
        ),
        pk=pk,
    )
    moment = live.as_of(request)

    def standing() -> HealthRecord | None:
        return ProgrammeHealth.objects.filter(programme=programme).standing(moment)

    def version(health: HealthRecord | None) -> str:
        # Without the cache: the record, and whether it says "recomputing…".
        waiting = is_recomputing(HealthRequest.Subject.PROGRAMME, programme.pk)
        return live.version_of(health) + (":recomputing" if waiting else "")

    health: HealthRecord | SimpleLazyObject | None
    if polling and stamp is None:
        health = standing()
        shown = version(health)
        if live.unchanged(request, shown):
            return HttpResponse(status=204)  # nothing new: the open page keeps what it shows
    else:
        health = SimpleLazyObject(standing)  # a cached body (page_cache) never reads it
        shown = stamp or SimpleLazyObject(lambda: version(health))  # type: ignore[assignment,arg-type]
    context = {
        "programme": programme,
        "health": health,
        "health_version": shown,
        "as_of": moment,
        "poll_seconds": live.POLL_SECONDS,
    }
    if polling:
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


@login_required
def portfolio_dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The executive portfolio dashboard; open, it follows health as it is recomputed."""
    moment = live.as_of(request)
    # Versions first (portfolio.core.pagecache); each portfolio's moves with any write in
    # it. Without the cache the open page polls the newest health record instead.
    stamp = pagecache.declare(request, lambda: portfolio_scopes(request)) or health_stamp()
    polling = request.htmx and "health_since" in request.GET
    if polling and live.unchanged(request, stamp):
        return HttpResponse(status=204)
    shown = SimpleLazyObject(lambda: overview(request.user, moment))
    context = {
        # Lazy: a cached body (page_cache) never builds it.
        "overview": shown,
        "as_of": moment,
        "stamp": stamp,
        "poll_seconds": live.POLL_SECONDS,
    }
    if not polling:
        return render(request, EXECUTIVE, context)
    changed = _changed_cards(request, cast(Overview, shown), request.GET["health_since"])
    if changed is not None:  # only those cards, out of band (and the lists beside them)
        return render(request, f"{EXECUTIVE}#dashboard-changes", {**context, "changed": changed})
    response = render(request, f"{EXECUTIVE}#dashboard-body", context)
    return reswap(retarget(response, "#dashboard-body"), "outerHTML")


def _changed_cards(
    request: HtmxHttpRequest, shown: Overview, since: str
) -> list[ProgrammeCard] | None:
    """The cards whose programme moved since the page polling was rendered; None when the
    whole body is to be sent again."""
    cards = [card for section in shown.sections for card in section.cards]
    scopes = {card.programme.pk: pagecache.scope_of(card.programme) for card in cards}
    moved = pagecache.parts_moved(request, "executive-dashboard", since, scopes.values())
    if moved is None:
        return None
    return [card for card in cards if scopes[card.programme.pk] in moved]


@login_required
def portfolio_list(request: HtmxHttpRequest) -> HttpResponse:
    """Each portfolio the viewer reads, with its programmes and its projects' money."""
    portfolios = Portfolio.objects.visible_to(request.user).active().with_programme_count()
    totals = Project.objects.visible_to(request.user).active().totals_by("portfolio")
    rows = [(p, totals.get(p.pk)) for p in portfolios]
    return render(
        request,
        "dashboards/portfolio_list.html",
        {"rows": rows, "can_create": may_create_portfolio(request.user)},
    )
