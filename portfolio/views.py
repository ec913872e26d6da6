from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject

from portfolio import live
from portfolio.http import HtmxHttpRequest
from portfolio.navigation import landing_for
from portfolio.overview import health_stamp, overview
from programmes.models import roles_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(landing_for(roles_of(request.user)))


@login_required
def no_access(request: HttpRequest) -> HttpResponse:
    return render(request, "portfolio/no_access.html", status=403)


@login_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The executive portfolio dashboard; open, it follows health as it is recomputed."""
    moment = live.as_of(request)
    stamp = health_stamp()
    polling = request.htmx and "health_since" in request.GET
    if polling and live.unchanged(request, stamp):
        return HttpResponse(status=204)
    context = {
        # Lazy: a cached body (page_cache) never builds it.
        "overview": SimpleLazyObject(lambda: overview(request.user, moment)),
        "as_of": moment,
        "stamp": stamp,
        "poll_seconds": live.POLL_SECONDS,
    }
    template = "portfolio/dashboard.html" + ("#dashboard-body" if polling else "")
    return render(request, template, context)


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
