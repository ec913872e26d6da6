"""The project manager's week: My projects, the weekly update, and report revisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from portfolio.core import pagecache
from portfolio.core.editing import show_errors
from portfolio.core.http import HtmxHttpRequest
from portfolio.core.periods import Period
from projects.access import may_edit_report
from projects.forms import IssueRaiseForm, RiskRaiseForm, offer_owners_once
from projects.models import Milestone, Project, StatusReport, with_reporting
from projects.models.reporting import field_label
from projects.report_forms import MilestoneForecastForm, StatusReportForm
from projects.reporting import (
    StaleDraft,
    status_report_open,
    status_report_save,
    status_report_start,
    status_report_submit,
)
from projects.services import issue_escalate, risk_escalate

# The short forms under the update page's registers: each renders every field it requires.
RAISE_FORMS: dict[str, type[RiskRaiseForm | IssueRaiseForm]] = {
    "risk": RiskRaiseForm,
    "issue": IssueRaiseForm,
}


def _period(request: HtmxHttpRequest) -> Period:
    """?period=2026-W46 for another week (a missed one, say); this week otherwise."""
    label = request.GET.get("period")
    if not label:
        return Period.containing(timezone.localdate())
    try:
        return Period.parse(label)
    except ValueError:
        raise Http404("No such reporting period") from None


@login_required
def my_projects(request: HtmxHttpRequest) -> HttpResponse:
    led = Project.objects.led_by(request.user).active()
    # Submitted reports (project) and drafts (drafts) are what it shows of each project.
    pagecache.declare(
        request,
        lambda: [
            pagecache.scope(kind, pk)
            for pk in led.values_list("pk", flat=True)
            for kind in ("project", "drafts")
        ],
    )
    period = _period(request)
    projects = with_reporting(
        Project.objects.led_by(request.user)
        .active()
        .select_related("programme", "portfolio__health_policy"),
        period,
    )
    today = timezone.localdate()
    # Lazy: a cached body (page_cache) never needs them.
    rows = SimpleLazyObject(
        lambda: [(project, project.reporting_status(period, today)) for project in projects]
    )
    return render(
        request, "projects/my_projects.html", {"rows": rows, "period": period, "today": today}
    )


@login_required
def report_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The weekly update of one project: saves drafts as the user types, then submits."""
    project = get_object_or_404(
        # The registers ask for its programme (may an item be escalated?).
        Project.objects.delivered_by(request.user).select_related("portfolio", "programme"),
        pk=pk,
    )
    period = _period(request)
    report = status_report_start(project=project, period=period)
    form = StatusReportForm(
        request.POST or None,
        instance=report,
        initial={"version": report.version},
        scale=project.portfolio.rating_scale,
    )
    conflict, submit_refused = None, False
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "save")
        version = form.cleaned_data["version"]
        report, created = status_report_open(project=project, period=period, author=request.user)
        if created and version == 0:
            version = report.version  # this request started the draft: nobody else saved it
        arguments = {
            "report": report,
            "version": version,
            "changes": form.changes(),
            "author": request.user,
        }
        try:
            # Save first, so a refused submission still keeps what was typed.
            report = status_report_save(**arguments)
            if action == "submit":
                submitted = status_report_submit(
                    report=report, version=report.version, changes={}, author=request.user
                )
                messages.success(request, f"Submitted the report for {period}.")
                return redirect(submitted)
        except StaleDraft as stale:
            conflict = _conflict(stale.current, form)
        except ValidationError as exc:
            show_errors(form, exc)
            submit_refused = True
    context = {
        "project": project,
        "report": report,
        "form": form,
        "period": period,
        "conflict": conflict,
        "submit_refused": submit_refused,
        "saved_at": timezone.localtime(),
    }
    if request.htmx and request.POST.get("action", "save") == "save":
        # Autosave: only the status line (and the new version number) goes back.
        return render(request, "projects/report_form.html#save-status", context)
    raise_forms = {
        kind: form_class(prefix=kind, user=request.user) for kind, form_class in RAISE_FORMS.items()
    }
    offer_owners_once(*raise_forms.values())
    context.update(
        milestones=[
            (m, MilestoneForecastForm(instance=m, prefix=f"m{m.pk}"))
            for m in project.milestones.all()
        ],
        registers=[
            (kind, getattr(project, f"{kind}s").open().select_related("owner"), form)
            for kind, form in raise_forms.items()
        ],
    )
    status = 409 if conflict else (400 if form.errors else 200)
    return render(request, "projects/report_form.html", context, status=status)


def _conflict(current: StatusReport, form: StatusReportForm) -> dict[str, object]:
    """What the other person saved that differs from what this user typed."""
    mine = form.changes()
    theirs = current.carried_forward()
    changed = [
        (field_label(name), theirs[name], mine[name]) for name in mine if theirs[name] != mine[name]
    ]
    return {
        "by": current.author,
        "at": current.updated_at,
        "version": current.version,
        "changed": changed,
    }


@login_required
@require_POST
def milestone_forecast(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.editable_by(request.user), pk=pk)
    form = MilestoneForecastForm(request.POST, instance=milestone, prefix=f"m{pk}")
    saved = form.is_valid()
    if saved:
        form.save()
        # Show what was stored, written the one way dates are (as typed, it may differ).
        form = MilestoneForecastForm(instance=milestone, prefix=f"m{pk}")
    return render(
        request,
        "projects/report_form.html#milestone-row",
        {"milestone": milestone, "mform": form, "saved": saved},
        status=200 if saved else 400,
    )


@login_required
@require_POST
def report_raise(request: HtmxHttpRequest, pk: int, kind: str) -> HttpResponse:
    """Raise a risk or issue from the update page without leaving it. A refused form comes
    back as the register with its errors beside the fields (a 400 that htmx swaps in: see
    base.html); without JavaScript the page itself is shown again."""
    project = get_object_or_404(Project.objects.delivered_by(request.user), pk=pk)
    form_class = RAISE_FORMS[kind]
    form = form_class(request.POST, prefix=kind, user=request.user)
    form.instance.project = project
    if form.is_valid():
        item = form.save()
        form = form_class(prefix=kind, user=request.user)
        if not request.htmx:
            messages.success(request, f"Raised the {kind} “{item}”.")
            return redirect("projects:report-edit", pk=project.pk)
    elif not request.htmx:
        errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"The {kind} was not raised: {errors}")
        return redirect("projects:report-edit", pk=project.pk)
    context = {
        "project": project,
        "rform": form,
        "items": getattr(project, f"{kind}s").open().select_related("owner"),
        "kind": kind,
    }
    return render(
        request, "projects/report_form.html#register", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def report_escalate(request: HtmxHttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.delivered_by(request.user), pk=pk)
    item = get_object_or_404(getattr(project, f"{kind}s"), pk=item_pk)
    error = None
    try:
        risk_escalate(risk=item) if kind == "risk" else issue_escalate(issue=item)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    context = {
        "project": project,
        "rform": RAISE_FORMS[kind](prefix=kind, user=request.user),
        "error": error,
        "items": getattr(project, f"{kind}s").open().select_related("owner"),
        "kind": kind,
    }
    return render(
        request, "projects/report_form.html#register", context, status=400 if error else 200
    )


@login_required
def report_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        StatusReport.objects.visible_to(request.user).select_related("project", "author"), pk=pk
    )
    revisions = list(
        report.project.status_reports.submitted()
        .for_period(report.period)
        .select_related("author")
        .order_by("revision")
    )
    earlier = next((r for r in reversed(revisions) if r.revision < report.revision), None)
    return render(
        request,
        "projects/report_detail.html",
        {
            "report": report,
            "revisions": revisions,
            "earlier": earlier,
            "differences": report.differences(earlier) if earlier else [],
            "can_correct": report.is_submitted and may_edit_report(request.user, report),
        },
    )
