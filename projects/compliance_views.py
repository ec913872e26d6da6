"""The PMO's Reporting page: who reported for a week, on time or late, and chasing by email.

PMO and executives read it (executives for their portfolios, through `visible_to`); only
the PMO sends reminders. Everyone else gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.views.decorators.http import require_POST

from portfolio.core import pagecache
from portfolio.core.filtering import ScopedFilterSet
from portfolio.core.forms import SearchableSelect
from portfolio.core.http import HtmxHttpRequest
from portfolio.core.periods import Period, ReportingStatus
from programmes.access import portfolio_choices, programme_choices
from programmes.models import HealthPolicy
from programmes.scopes import reporting_scopes
from projects.access import may_read_compliance, may_send_reminders
from projects.models import Project
from projects.models.reminders import (
    SUMMARY,
    compliance_for,
    expected_to_report,
    with_period_status,
)
from projects.reminders import ReminderNotSent, reminder_send_manual, reminders_send_overdue

FILTERS = ("portfolio", "programme", "status")
# Rows drawn per page; the counts above the table are always those of the whole selection.
PER_PAGE = 50
DEFAULT_DUE_WEEKDAY: int = HealthPolicy._meta.get_field("report_due_weekday").get_default()


class ComplianceFilter(ScopedFilterSet):
    scoped_fields = {"portfolio": portfolio_choices, "programme": programme_choices}
    portfolio = django_filters.ModelChoiceFilter()
    programme = django_filters.ModelChoiceFilter(widget=SearchableSelect)
    # A status is annotated in SQL (with_period_status) after the other filters, so the
    # view applies this one; the summary counts stay those of the whole selection.
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(status.value, name.capitalize()) for status, name in SUMMARY],
        method="keep_all",
    )

    class Meta:
        model = Project
        fields = ["portfolio", "programme", "status"]

    def keep_all(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset


def _latest_due(today: date) -> Period:
    """The newest week whose report is already due under the default policy: on Monday the
    PMO looks back at last week, from Friday on at this one."""
    this_week = Period.containing(today)
    return this_week if today >= this_week.due_date(DEFAULT_DUE_WEEKDAY) else this_week.previous()


def _period(label: str | None) -> Period:
    """?period=2026-W46 for another week; the newest week already due otherwise."""
    if not label:
        return _latest_due(timezone.localdate())
    try:
        return Period.parse(label)
    except ValueError:
        raise Http404("No such reporting period") from None


def _query(data: QueryDict, **changes: str) -> str:
    """The page's filters as a query string, with some values changed ('' removes one)."""
    query = QueryDict(mutable=True)
    for name in ("period", *FILTERS):
        value = changes.get(name, data.get(name, ""))
        if value:
            query[name] = value
    return query.urlencode()


@dataclass(frozen=True)
class Summary:
    """The counts above the table, those of the whole selection (SQL aggregates)."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def overdue(self) -> int:
        return self.counts.get(ReportingStatus.OVERDUE, 0)

    @property
    def percent_on_time(self) -> int | None:
        if not self.total:
            return None
        return round(100 * self.counts.get(ReportingStatus.ON_TIME, 0) / self.total)


class _Selection:
    """The filtered rows and their counts, worked out on first use: a page whose body is
    served from the cache (page_cache) never needs them. Statuses, counts and the page of
    rows come from SQL (`with_period_status`); only the rows shown get their 8-week strip."""

    def __init__(self, request: HttpRequest, period: Period, data: QueryDict) -> None:
        projects = expected_to_report(Project.objects.visible_to(request.user))
        self.filter = ComplianceFilter(data, queryset=projects, request=request)
        self.period = period
        self.data = data
        self.here = data.copy()
        self.here["period"] = period.label

    @cached_property
    def status(self) -> str | None:
        return self.filter.form.cleaned_data.get("status") if self.filter.is_valid() else None

    @cached_property
    def selected(self) -> QuerySet[Any]:
        chosen = self.filter.qs if self.filter.is_valid() else self.filter.queryset.none()
        return with_period_status(chosen, self.period, timezone.localdate())

    @cached_property
    def totals(self) -> Summary:
        rows = self.selected.order_by().values("period_status").annotate(n=Count("pk"))
        return Summary({row["period_status"]: row["n"] for row in rows})

    @cached_property
    def page(self) -> Page[Any]:
        shown = self.selected.filter(period_status=self.status) if self.status else self.selected
        ordered = shown.order_by("urgency", Lower("name"), "pk").values_list("pk", flat=True)
        page = Paginator(ordered, PER_PAGE).get_page(self.data.get("page"))
        ids = list(page.object_list)
        rows = compliance_for(Project.objects.filter(pk__in=ids), self.period, timezone.localdate())
        place = {pk: n for n, pk in enumerate(ids)}
        shown_rows = sorted(rows.rows, key=lambda row: place[row.project.pk])
        return Page(shown_rows, page.number, page.paginator)

    def overdue_projects(self) -> list[Project]:
        """Every overdue project of the selection (not only those on this page)."""
        overdue = self.selected.filter(period_status=ReportingStatus.OVERDUE)
        return list(overdue.select_related("manager", "portfolio__health_policy"))

    @cached_property
    def summary(self) -> list[tuple[Any, str, int, str, bool]]:
        return [
            (
                s,
                name,
                self.totals.counts.get(s, 0),
                _query(self.here, status=s.value),
                s.value == self.status,
            )
            for s, name in SUMMARY
        ]


def _context(request: HttpRequest, period: Period, data: QueryDict) -> dict[str, Any]:
    selection = _Selection(request, period, data)
    here = selection.here
    return {
        "period": period,
        "latest": _latest_due(timezone.localdate()),
        "filter": selection.filter,
        "totals": SimpleLazyObject(lambda: selection.totals),
        "selection": selection,
        "rows": SimpleLazyObject(lambda: selection.page.object_list),
        "page": SimpleLazyObject(lambda: selection.page),
        "page_query": _query(here),
        "summary": SimpleLazyObject(lambda: selection.summary),
        "all_query": _query(here, status=""),
        "filters_query": _query(here, period=""),
        "hidden_filters": [(name, here.get(name)) for name in FILTERS if here.get(name)],
        "can_remind": may_send_reminders(request.user),
    }


@login_required
def reporting_compliance(request: HtmxHttpRequest) -> HttpResponse:
    may_read_compliance.require(request.user)
    pagecache.declare(request, lambda: reporting_scopes(request))  # before the rows are read
    period = _period(request.GET.get("period"))
    template = "projects/reporting_compliance.html"
    if request.htmx and not request.htmx.boosted:
        template += "#compliance-results"
    return render(request, template, _context(request, period, request.GET))


def _back(period: Period, data: QueryDict) -> HttpResponse:
    here = data.copy()
    here["period"] = period.label
    return redirect(f"{reverse('projects:reporting')}?{_query(here)}")


@login_required
@require_POST
def reporting_remind(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One reminder to one project's manager; the row then says when it went."""
    may_send_reminders.require(request.user)
    project = get_object_or_404(
        expected_to_report(Project.objects.visible_to(request.user)).select_related(
            "manager", "portfolio__health_policy"
        ),
        pk=pk,
    )
    period = _period(request.POST.get("period"))
    error = None
    try:
        reminder_send_manual(project=project, period=period, sent_by=request.user)
    except ReminderNotSent as exc:
        error = str(exc)
    if request.htmx:
        compliance = compliance_for(
            Project.objects.filter(pk=project.pk), period, timezone.localdate()
        )
        context = {
            "row": compliance.rows[0],
            "period": period,
            "can_remind": True,
            "error": error,
            "hidden_filters": [],
        }
        return render(request, "projects/reporting_compliance.html#compliance-row", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Reminder sent to {project.manager} about {project}.")
    return _back(period, request.POST)


@login_required
@require_POST
def reporting_remind_overdue(request: HtmxHttpRequest) -> HttpResponse:
    """A reminder to the manager of every overdue project in the page's selection."""
    may_send_reminders.require(request.user)
    period = _period(request.POST.get("period"))
    selection = _Selection(request, period, request.POST)
    run = reminders_send_overdue(
        projects=selection.overdue_projects(), period=period, sent_by=request.user
    )
    note = f"Sent {len(run.sent)} reminder{'s' if len(run.sent) != 1 else ''}."
    if run.already_sent:
        note += f" Already reminded today: {', '.join(p.name for p in run.already_sent)}."
    if run.no_email or run.failed:
        names = ", ".join(p.name for p in run.no_email + run.failed)
        note += f" Not sent (no email address, or the email failed): {names}."
    if request.htmx:
        context = _context(request, period, request.POST)
        context["note"] = note
        return render(request, "projects/reporting_compliance.html#compliance-results", context)
    (messages.warning if run.no_email or run.failed else messages.success)(request, note)
    return _back(period, request.POST)
