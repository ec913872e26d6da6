from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from portfolio.pagination import paginate
from projects.models import Project


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = (
        Project.objects.visible_to(request.user)
        .active()
        .select_related("portfolio", "programme", "manager")
    )
    return render(
        request,
        "projects/project_list.html",
        {"page": paginate(request, projects), "title": "Projects"},
    )


@login_required
def my_projects(request: HttpRequest) -> HttpResponse:
    projects = (
        Project.objects.led_by(request.user)
        .active()
        .select_related("portfolio", "programme", "manager")
    )
    return render(
        request,
        "projects/project_list.html",
        {"page": paginate(request, projects), "title": "My projects"},
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related(
            "portfolio", "programme", "manager", "sponsor"
        ),
        pk=pk,
    )
    return render(
        request,
        "projects/project_detail.html",
        {"project": project, "milestones": project.milestones.all()},
    )
