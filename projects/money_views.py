"""A project's money by month: its phasing and the months against plan (read by whoever
reads the project), and the form phasing its budget or forecast (whoever may edit the
project's record, which holds the budget: PMO)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from portfolio.core.editing import handle_form
from portfolio.core.http import HtmxHttpRequest
from projects.access import may_edit_project
from projects.forms import PhasingForm, months_text
from projects.models import MoneyKind, Project
from projects.money import entered_months, project_money, project_phasing_set

TEMPLATE = "projects/money.html"


@login_required
def project_money_page(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    template = TEMPLATE + "#money-panel" if request.htmx and not request.htmx.boosted else TEMPLATE
    return render(
        request,
        template,
        {
            "project": project,
            "money": project_money(project, timezone.localdate()),
            "can_edit": SimpleLazyObject(lambda: may_edit_project(request.user, project)),
        },
    )


@login_required
def project_money_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.editable_by(request.user), pk=pk)
    kind = request.POST.get("kind") or request.GET.get("kind")
    kind = kind if kind in MoneyKind.values else MoneyKind.FORECAST
    money = project_money(project)
    current = money.budget if kind == MoneyKind.BUDGET else money.forecast
    form = PhasingForm(
        request.POST or None,
        initial={
            "kind": kind,
            "shape": current.shape,
            "months": months_text(entered_months(project, kind)),
        },
    )
    url = reverse("projects:money", args=[project.pk])
    return handle_form(
        request,
        form,
        title=f"Phase the {MoneyKind(kind).label.lower()} of {project}",
        save=lambda f: project_phasing_set(
            project=project,
            kind=f.cleaned_data["kind"],
            shape=f.cleaned_data["shape"],
            months=f.cleaned_data["months"],
            user=request.user,
        ),
        success_url=url,
        cancel_url=url,
    )
