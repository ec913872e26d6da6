"""Pages of the delivery layer. Reads start from `visible_to`; writes from `editable_by`,
`delivered_by` or `managed_by`, so a role that may not write gets a 404; an action the role
never has is refused (403) by the predicate the API asks (projects/access.py)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from portfolio.core import live, pagecache
from portfolio.core.access import refuse_unless
from portfolio.core.editing import delete_row, handle_form, toggle_archive
from portfolio.core.http import HtmxHttpRequest
from portfolio.core.listing import Listing
from programmes.models import Programme
from projects import services
from projects.access import (
    may_create_project,
    may_edit_register_item,
    may_link_projects,
    project_rights,
)
from projects.filters import IssueFilter, ProjectFilter, RiskFilter
from projects.forms import (
    AllocationForm,
    DependencyForm,
    IssueForm,
    MilestoneForm,
    ProjectForm,
    RiskForm,
)
from projects.models import (
    RATED,
    Allocation,
    Dependency,
    DerivedForecast,
    Issue,
    Milestone,
    Project,
    Risk,
)
from projects.models.reporting import field_label
from projects.tables import IssueTable, ProjectTable, RiskTable

STATUS_HISTORY_WEEKS = 26

# Projects ------------------------------------------------------------------------------


def _project_rows(queryset: Any) -> Any:
    return queryset.select_related("portfolio", "programme", "manager")


@login_required
def project_list(request: HtmxHttpRequest) -> HttpResponse:
    return Listing(
        title="Projects",
        queryset=_project_rows(Project.objects.visible_to(request.user)),
        filterset_class=ProjectFilter,
        table_class=ProjectTable,
        create_url=reverse("projects:create") if may_create_project(request.user) else None,
        create_label="New project",
    ).respond(request)


DETAIL = "projects/project_detail.html"
# Parts of the project page loaded on their own when opened (?panel=name, htmx).
DETAIL_PANELS = ("status",)


def _detail_template(request: HtmxHttpRequest) -> str:
    panel = request.GET.get("panel")
    return f"{DETAIL}#panel-{panel}" if request.htmx and panel in DETAIL_PANELS else DETAIL


@login_required
def project_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    pagecache.declare(request, [pagecache.scope("project", pk)])  # before the project is read
    project = get_object_or_404(
        Project.objects.visible_to(user).select_related(
            "portfolio", "programme", "manager", "sponsor"
        ),
        pk=pk,
    )
    dependencies = Dependency.objects.filter(Q(upstream=project) | Q(downstream=project))
    moment = live.as_of(request)
    return render(
        request,
        _detail_template(request),
        {
            "project": project,
            "all_panels": request.GET.get("panels") == "all",
            "milestones": project.milestones.all(),
            "risks": project.risks.select_related("owner", "programme"),
            "issues": project.issues.select_related("owner", "programme"),
            "dependencies": dependencies.select_related(
                "upstream", "downstream", "upstream_milestone", "downstream_milestone"
            ).annotate(
                editable=Exists(Dependency.objects.editable_by(user).filter(pk=OuterRef("pk")))
            ),
            "allocations": project.allocations.select_related("person"),
            "health": SimpleLazyObject(lambda: project.health_records.standing(moment)),
            "as_of": moment,
            "rating_dimensions": [(field_label(name), name) for name in RATED],
            "reports": project.status_reports.latest_revisions()
            .select_related("author")
            .order_by("-period_start")[:STATUS_HISTORY_WEEKS],
            # Lazy, like the querysets: a cached body (page_cache) never asks. The
            # manager's buttons (report, milestones, risks, issues) share one rule, and so
            # do the programme manager's (bookings, dependencies); all in one query.
            "rights": SimpleLazyObject(lambda: project_rights(user, project)),
            "slip_reach": SimpleLazyObject(lambda: DerivedForecast.objects.reach_of(project)),
            "pushed": DerivedForecast.objects.filter(project=project).select_related("caused_by"),
        },
    )


@login_required
def project_create(request: HtmxHttpRequest) -> HttpResponse:
    may_create_project.require(request.user)
    initial = {key: request.GET.get(key) for key in ("portfolio", "programme")}
    form = ProjectForm(request.POST or None, initial=initial, user=request.user)
    return handle_form(request, form, title="New project", cancel_url=reverse("projects:list"))


@login_required
def project_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.editable_by(request.user), pk=pk)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    return handle_form(
        request, form, title=f"Edit {project}", cancel_url=project.get_absolute_url()
    )


@login_required
def project_archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.editable_by(request.user), pk=pk)
    return toggle_archive(request, project, success_url=project.get_absolute_url())


# Milestones ----------------------------------------------------------------------------


@login_required
def milestone_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.delivered_by(request.user), pk=pk)
    form = MilestoneForm(request.POST or None, instance=Milestone(project=project))
    url = project.get_absolute_url()
    return handle_form(
        request, form, title=f"New milestone of {project}", success_url=url, cancel_url=url
    )


@login_required
def milestone_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.editable_by(request.user), pk=pk)
    form = MilestoneForm(request.POST or None, instance=milestone)
    url = milestone.project.get_absolute_url()
    return handle_form(
        request, form, title=f"Edit milestone {milestone.name}", success_url=url, cancel_url=url
    )


@login_required
def milestone_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.editable_by(request.user), pk=pk)
    return delete_row(request, milestone, success_url=milestone.project.get_absolute_url())


# Dependencies --------------------------------------------------------------------------


@login_required
def dependency_create(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    may_link_projects.require(user)
    downstream = request.GET.get("downstream")
    form = DependencyForm(request.POST or None, initial={"downstream": downstream}, user=user)
    back = request.GET.get("next") or reverse("programmes:list")
    return handle_form(
        request,
        form,
        title="New dependency",
        save=lambda f: services.dependency_create(**_writable_ends(user, f.cleaned_data)),
        success_url=back if back.startswith("/") else None,
        cancel_url=back,
    )


def _writable_ends(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    services.dependency_require_own_end(
        user=user, upstream=data["upstream"], downstream=data["downstream"]
    )
    return data


@login_required
def dependency_milestones(request: HtmxHttpRequest, side: str) -> HttpResponse:
    """The milestone dropdown of one side of the dependency form, for the project chosen on
    that side (`?upstream=<id>` or `?downstream=<id>`): swapped in when the project changes."""
    may_link_projects.require(request.user)
    if side not in DependencyForm.SIDES:
        raise Http404
    form = DependencyForm(initial={side: request.GET.get(side)}, user=request.user)
    return render(
        request, "projects/dependency_milestones.html", {"field": form[f"{side}_milestone"]}
    )


@login_required
def dependency_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    dependency = get_object_or_404(Dependency.objects.editable_by(request.user), pk=pk)
    form = DependencyForm(request.POST or None, instance=dependency, user=request.user)
    url = dependency.downstream.get_absolute_url()
    return handle_form(
        request,
        form,
        title=f"Edit dependency: {dependency}",
        save=lambda f: services.dependency_update(
            dependency=dependency, **_writable_ends(request.user, f.cleaned_data)
        ),
        success_url=url,
        cancel_url=url,
    )


@login_required
def dependency_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    dependency = get_object_or_404(Dependency.objects.editable_by(request.user), pk=pk)
    return delete_row(request, dependency, success_url=dependency.downstream.get_absolute_url())


# Allocations ---------------------------------------------------------------------------


@login_required
def allocation_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.coordinated_by(request.user), pk=pk)
    form = AllocationForm(
        request.POST or None, instance=Allocation(project=project), user=request.user
    )
    url = project.get_absolute_url()
    return handle_form(
        request,
        form,
        title=f"Book someone onto {project}",
        save=lambda f: _booking_save(request, f.instance),
        success_url=url,
        cancel_url=url,
    )


@login_required
def allocation_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    allocation = get_object_or_404(Allocation.objects.editable_by(request.user), pk=pk)
    form = AllocationForm(request.POST or None, instance=allocation, user=request.user)
    url = allocation.project.get_absolute_url()
    return handle_form(
        request,
        form,
        title=f"Edit booking of {allocation.person}",
        save=lambda f: _booking_save(request, f.instance),
        success_url=url,
        cancel_url=url,
    )


def _booking_save(request: HtmxHttpRequest, allocation: Allocation) -> Allocation:
    """Save, and tell the booker when it over-books the person (policy allowing it)."""
    saved = services.allocation_save(allocation=allocation)
    if saved.overbooking_on_save:
        messages.warning(request, saved.overbooking_on_save)
    return saved


@login_required
def allocation_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    allocation = get_object_or_404(Allocation.objects.editable_by(request.user), pk=pk)
    return delete_row(request, allocation, success_url=allocation.project.get_absolute_url())


# Risks and issues ----------------------------------------------------------------------

REGISTERS: dict[str, Any] = {
    "risk": (Risk, RiskForm, RiskFilter, RiskTable, "Risks"),
    "issue": (Issue, IssueForm, IssueFilter, IssueTable, "Issues"),
}


@login_required
def register_list(request: HtmxHttpRequest, kind: str) -> HttpResponse:
    model, _, filter_class, table_class, title = REGISTERS[kind]
    return Listing(
        title=title,
        queryset=model.objects.visible_to(request.user).select_related(
            "project", "programme", "owner"
        ),
        filterset_class=filter_class,
        table_class=table_class,
    ).respond(request)


@login_required
def register_create(request: HtmxHttpRequest, kind: str) -> HttpResponse:
    """Raise a risk or issue on a project (?project=) or a programme (?programme=)."""
    model, form_class, *_ = REGISTERS[kind]
    user = request.user
    if "programme" in request.GET:
        programme = get_object_or_404(
            Programme.objects.managed_by(user), pk=_int(request.GET["programme"])
        )
        item, url = model(programme=programme), programme.get_absolute_url()
    else:
        project = get_object_or_404(
            Project.objects.delivered_by(user), pk=_int(request.GET.get("project"))
        )
        item, url = model(project=project), project.get_absolute_url()
    form = form_class(request.POST or None, instance=item, user=user)
    return handle_form(
        request,
        form,
        title=f"Raise {'an issue' if kind == 'issue' else 'a risk'}",
        success_url=url,
        cancel_url=url,
    )


@login_required
def register_detail(request: HtmxHttpRequest, kind: str, pk: int) -> HttpResponse:
    """The item's form when the user may write it, the same form read-only otherwise."""
    model, form_class, *_ = REGISTERS[kind]
    item = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    writable = may_edit_register_item(request.user, item)
    if request.method == "POST":
        refuse_unless(writable, may_edit_register_item.refusal)
    form = form_class(request.POST or None, instance=item, user=request.user)
    if not writable:
        for field in form.fields.values():
            field.disabled = True
    url = (item.project or item.programme).get_absolute_url()
    return handle_form(
        request,
        form,
        title=str(item),
        success_url=url,
        cancel_url=url,
        template="projects/register_item.html",
        context={"item": item, "kind": kind, "writable": writable, "readonly": not writable},
    )


@login_required
@require_POST
def register_escalate(request: HtmxHttpRequest, kind: str, pk: int) -> HttpResponse:
    model, *_ = REGISTERS[kind]
    item = get_object_or_404(
        model.objects.filter(project__in=Project.objects.delivered_by(request.user)), pk=pk
    )
    escalate = services.risk_escalate if kind == "risk" else services.issue_escalate
    try:
        escalate(**{kind: item})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Escalated “{item}” to {item.programme}.")
    return redirect(item.get_absolute_url())


def _int(value: str | None) -> int:
    """A primary key from the query string; anything else matches nothing (404)."""
    try:
        return int(value or "")
    except ValueError:
        return 0
