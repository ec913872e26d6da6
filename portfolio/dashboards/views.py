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

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from portfolio.core import live, pagecache
from portfolio.core.capacity import LOAD_WINDOW_WEEKS
from portfolio.core.http import HtmxHttpRequest
from portfolio.core.levelling import booking_of
from portfolio.dashboards.capacity import GROUPINGS, capacity_grid, person_suggestions
from portfolio.dashboards.executive import (
    Changes,
    Show,
    changes_since,
    health_stamp,
    overview,
    programme_cards,
)
from portfolio.dashboards.programme import RISK_BANDS, dashboard_for
from portfolio.health.freshness import is_recomputing
from portfolio.health.models import HealthRecord, HealthRequest, ProgrammeHealth
from programmes.access import may_create_portfolio
from programmes.models import Person, Portfolio, Programme
from programmes.scopes import may_see_programme, portfolio_scopes
from projects.access import may_book_anyone
from projects.models import RATED, Allocation, Project
from projects.money import portfolio_by_month, programme_by_month
from projects.services import StaleSuggestion, allocation_level

TEMPLATE = "dashboards/programme_dashboard.html"
EXECUTIVE = "dashboards/portfolio_dashboard.html"
CAPACITY = "dashboards/capacity.html"
SUGGESTIONS = "dashboards/capacity_suggestions.html"
# The programme dashboard's panels, each loaded on its own as it comes into view.
PANELS = (
    "summary",
    "projects",
    "roadmap",
    "load",
    "money",
    "risks",
    "benefits",
    "stakeholders",
)


def _template(request: HtmxHttpRequest) -> str:
    """The whole page, one panel as it comes into view, or the body when htmx refreshes it
    in place."""
    if not request.htmx:
        return TEMPLATE
    panel = request.GET.get("panel")
    return f"{TEMPLATE}#panel-{panel}" if panel in PANELS else f"{TEMPLATE}#dashboard-body"


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
        "as_of_query": f"&as_of={moment:%Y-%m-%d}" if moment else "",
        "all_panels": request.GET.get("panels") == "all",
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
            "money": SimpleLazyObject(lambda: programme_by_month(programme.pk, today)),
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
    context: dict[str, object] = {
        # Lazy: a cached body (page_cache) never builds it.
        "overview": SimpleLazyObject(lambda: overview(request.user, moment)),
        "as_of": moment,
        "stamp": stamp,
        "poll_seconds": live.POLL_SECONDS,
    }
    if not polling:
        return render(request, EXECUTIVE, context)
    if "section" not in request.GET:
        # A page that sent no versions (opened before its parts carried them): the whole
        # body again, its programme cards loading anew, each from its cached fragment.
        response = render(request, f"{EXECUTIVE}#dashboard-body", context)
        return reswap(retarget(response, "#dashboard-body"), "outerHTML")
    # Something changed: the poll element anew and, out of band, only the portfolio
    # summaries and programme cards whose versions moved since those the page sent.
    changes: Changes = changes_since(
        request.user, request.GET.getlist("section"), request.GET.getlist("card")
    )
    context |= {"overview": changes.overview, "changes": changes}
    response = render(request, f"{EXECUTIVE}#dashboard-changes", context)
    return reswap(retarget(response, "#dashboard-poll"), "outerHTML")


@login_required
def portfolio_programmes(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One page of a portfolio's programme cards, filtered (?show=), for the dashboard to
    load when its section comes into view; without htmx, a page of its own."""
    portfolio = get_object_or_404(Portfolio.objects.visible_to(request.user).active(), pk=pk)
    # Versions before data (portfolio.core.pagecache); each card keys on its programme's.
    pagecache.declare(request, [pagecache.scope_of(portfolio)])
    show = request.GET.get("show", Show.ALL)
    if show not in Show.values:
        show = Show.ALL
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    moment = live.as_of(request)
    context = {
        "cards": programme_cards(request.user, portfolio, show, number, moment),
        "as_of": moment,
        "as_of_query": f"&as_of={moment:%Y-%m-%d}" if moment else "",
        "shows": Show.choices,
    }
    template = "dashboards/portfolio_programmes.html"
    return render(request, template + ("#programme-cards" if request.htmx else ""), context)


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


@login_required
def capacity(request: HtmxHttpRequest) -> HttpResponse:
    """Demand against capacity for everyone, by team or job title; a group's people load
    when it is opened (?group=name), or all at once for those needing attention."""
    may_book_anyone.require(request.user)
    by = request.GET.get("by", "team")
    by = by if by in GROUPINGS else "team"
    attention = request.GET.get("attention") == "1"
    grid = capacity_grid(
        Person.objects.active(), today=timezone.localdate(), by=by, attention_only=attention
    )
    context = {
        "grid": grid,
        "by": by,
        "by_label": GROUPINGS[by],
        "groupings": GROUPINGS,
        "attention": attention,
    }
    group = request.GET.get("group")
    if request.htmx and group is not None:
        found = next((g for g in grid.groups if g.total.name == group), None)
        return render(request, f"{CAPACITY}#members", {**context, "group": found})
    return render(request, CAPACITY, context)


@login_required
def portfolio_money(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A portfolio's money by month against plan: the panel its page loads on reveal
    (every active project, standalone ones included), cached with the portfolio's scope."""
    pagecache.declare(request, [pagecache.scope("portfolio", pk)])
    portfolio = get_object_or_404(Portfolio.objects.visible_to(request.user), pk=pk)
    today = timezone.localdate()
    context = {
        "portfolio": portfolio,
        "money": SimpleLazyObject(lambda: portfolio_by_month(portfolio.pk, today)),
    }
    template = "dashboards/portfolio_money.html"
    return render(request, template + ("#portfolio-money" if request.htmx else ""), context)


@login_required
def capacity_suggestions(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A person's over-allocations with their ranked levelling suggestions; htmx loads the
    panel under the person's row on the capacity page."""
    may_book_anyone.require(request.user)
    person = get_object_or_404(Person.objects.active(), pk=pk)
    context = {
        "person": person,
        "found": person_suggestions(request.user, person, timezone.localdate()),
        "colspan": LOAD_WINDOW_WEEKS + 1,
    }
    template = f"{SUGGESTIONS}#suggestions-row" if request.htmx else SUGGESTIONS
    return render(request, template, context)


@login_required
@require_POST
def capacity_level(request: HtmxHttpRequest) -> HttpResponse:
    """Apply one suggestion, named by its key; back to the capacity page with what was done,
    or why not (offered no more: the data moved since the page was drawn)."""
    may_book_anyone.require(request.user)
    key = request.POST.get("key", "")
    booking = Allocation.objects.filter(pk=booking_of(key) or 0).first()
    if (
        booking is not None
        and not Allocation.objects.editable_by(request.user).filter(pk=booking.pk).exists()
    ):
        raise PermissionDenied("You may rebook people on your own programme's projects only.")
    back = redirect(f"{reverse('dashboards:capacity')}?attention=1")
    try:
        if booking is None:
            raise StaleSuggestion(key)
        levelled = allocation_level(allocation=booking, key=key, today=timezone.localdate())
    except StaleSuggestion:
        messages.error(
            request, "That suggestion is no longer offered: the bookings changed. See the new ones."
        )
        return back
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    done = levelled.suggestion
    messages.success(request, f"Done: {done.summary}. {' '.join(done.consequences)}")
    return back
