from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from portfolio.navigation import landing_for
from programmes.models import Portfolio, Programme, roles_of
from projects.models import Project, Totals


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(landing_for(roles_of(request.user)))


@login_required
def no_access(request: HttpRequest) -> HttpResponse:
    return render(request, "portfolio/no_access.html", status=403)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    portfolios = list(Portfolio.objects.visible_to(request.user).active().order_by("name"))
    programmes = Programme.objects.visible_to(request.user).active().select_related("manager")
    projects = Project.objects.visible_to(request.user).active()
    totals = projects.totals_by("programme")
    standalone = projects.filter(programme__isnull=True).totals_by("portfolio")
    cards: dict[int, list[tuple[Programme, Totals]]] = {p.pk: [] for p in portfolios}
    for programme in programmes:
        cards.setdefault(programme.portfolio_id, []).append(
            (programme, totals.get(programme.pk, Totals()))
        )
    sections = [(p, cards[p.pk], standalone.get(p.pk, Totals())) for p in portfolios]
    return render(request, "portfolio/dashboard.html", {"sections": sections})


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
