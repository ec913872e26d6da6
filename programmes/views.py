from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from portfolio.pagination import paginate
from programmes.models import Person, Portfolio, Programme
from projects.models import Project


@login_required
def portfolio_list(request: HttpRequest) -> HttpResponse:
    portfolios = Portfolio.objects.visible_to(request.user).active().with_programme_count()
    totals = Project.objects.visible_to(request.user).active().totals_by("portfolio")
    rows = [(p, totals.get(p.pk)) for p in portfolios]
    return render(request, "programmes/portfolio_list.html", {"rows": rows})


@login_required
def portfolio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = get_object_or_404(Portfolio.objects.visible_to(request.user), pk=pk)
    programmes = (
        Programme.objects.visible_to(request.user)
        .active()
        .filter(portfolio=portfolio)
        .select_related("manager")
    )
    return render(
        request,
        "programmes/portfolio_detail.html",
        {"portfolio": portfolio, "programmes": programmes},
    )


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = (
        Programme.objects.visible_to(request.user).active().select_related("portfolio", "manager")
    )
    return render(
        request,
        "programmes/programme_list.html",
        {"page": paginate(request, programmes), "title": "Programmes"},
    )


@login_required
def my_programmes(request: HttpRequest) -> HttpResponse:
    programmes = (
        Programme.objects.led_by(request.user).active().select_related("portfolio", "manager")
    )
    return render(
        request,
        "programmes/programme_list.html",
        {"page": paginate(request, programmes), "title": "My programmes"},
    )


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(
        Programme.objects.visible_to(request.user).select_related("portfolio", "manager"), pk=pk
    )
    projects = (
        Project.objects.visible_to(request.user)
        .filter(programme=programme)
        .select_related("manager")
    )
    return render(
        request,
        "programmes/programme_detail.html",
        {"programme": programme, "projects": projects},
    )


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    people = Person.objects.visible_to(request.user).active().select_related("team")
    return render(request, "programmes/person_list.html", {"page": paginate(request, people)})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    return render(request, "programmes/person_detail.html", {"person": person})
