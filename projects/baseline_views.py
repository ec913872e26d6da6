"""A project's baselines: the list (who approved each, when and why), the comparison of an
earlier one with the baseline approved now, and the re-baseline form."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from portfolio.core.editing import handle_form
from portfolio.core.http import HtmxHttpRequest
from projects.access import may_rebaseline
from projects.baselines import project_rebaseline
from projects.forms import BaselineCompareForm, RebaselineForm
from projects.models import Baseline, Project

TEMPLATE = "projects/baselines.html"


@login_required
def project_baselines(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Anyone who reads the project reads its baselines. Without `?compare=N` the earliest
    baseline is compared (what the project was first approved against)."""
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    baselines = list(Baseline.objects.of(project).select_related("approved_by__person"))
    form = BaselineCompareForm(request.GET or None, baselines=baselines)
    chosen = form.cleaned_data["compare"] if form.is_valid() else None
    earlier = next(
        (b for b in baselines if b.number == chosen), baselines[-1] if baselines else None
    )
    template = (
        TEMPLATE + "#baselines-panel" if request.htmx and not request.htmx.boosted else TEMPLATE
    )
    return render(
        request,
        template,
        {
            "project": project,
            "baselines": baselines,
            "form": form,
            "comparison": earlier.compare() if earlier is not None else None,
            "can_rebaseline": may_rebaseline(request.user, project),
        },
    )


@login_required
def project_rebaseline_form(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.rebaselinable_by(request.user), pk=pk)
    form = RebaselineForm(request.POST or None)
    url = reverse("projects:baselines", args=[project.pk])
    return handle_form(
        request,
        form,
        title=f"Re-baseline {project}",
        save=lambda f: project_rebaseline(
            project=project, change=f.new_baseline(), user=request.user
        ),
        success_url=url,
        cancel_url=url,
    )
