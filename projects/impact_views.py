"""The impact page: "what if this slips by N", from a project or one of its milestones."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from portfolio.core import impact
from portfolio.core.http import HtmxHttpRequest
from projects.forms import ImpactForm
from projects.impact import impact_report
from projects.models import Project

TEMPLATE = "projects/impact.html"


@login_required
def project_impact(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Anyone who may read the project may ask; the answer names only what they may see."""
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("programme", "portfolio"), pk=pk
    )
    asked = "by" in request.GET
    # A link may name only how far ("?by=4"): the rest as the form starts.
    data = {"slips": "finish", "unit": "weeks", **request.GET.dict()}
    form = ImpactForm(data if asked else None, project=project, initial=request.GET.dict())
    report = None
    if asked and form.is_valid():
        change = impact.Change(_node(project, form.cleaned_data["slips"]), form.working_days())
        report = impact_report(request.user, [change])
    template = (
        TEMPLATE + "#impact-result" if request.htmx and not request.htmx.boosted else TEMPLATE
    )
    return render(request, template, {"project": project, "form": form, "report": report})


def _node(project: Project, slips: str) -> impact.NodeId:
    if slips == "start":
        return impact.project_start(project.pk)
    if slips == "finish":
        return impact.project_finish(project.pk)
    return slips  # "milestone:ID", one of the form's choices: the project's own
