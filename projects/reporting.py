"""Multi-step writes of weekly status reporting, shared by the pages, the API and tasks.

- `status_report_start` / `status_report_open`: this week's draft, carried forward from the
  last report; started unsaved, saved on the first save.
- `status_report_save`: save a draft unless someone else saved it first (StaleDraft).
- `status_report_submit`: make the draft a record and hand off to the health recomputation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from portfolio.core.periods import Period
from portfolio.core.signals import status_report_submitted
from projects.models import Project, StatusReport

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    Author = User | AnonymousUser | None

# Last week's accomplishments are not this week's: a new week starts them empty.
NEW_WEEK_CLEARS = ("accomplishments",)


class StaleDraft(Exception):
    """The draft was saved by someone else since the caller loaded it."""

    def __init__(self, current: StatusReport) -> None:
        super().__init__(f"Draft {current.pk} is at version {current.version}")
        self.current = current


def status_report_start(*, project: Project, period: Period) -> StatusReport:
    """This week's draft as it would start, not yet saved (so opening a page writes nothing).

    1. A draft for the period already exists: return it.
    2. Otherwise carry forward the newest submitted report up to this period: a correction
       when this period was already submitted (revision + 1), else a new week (revision 1,
       accomplishments cleared). With no report at all, start from the project's forecasts.
    """
    existing = project.status_reports.drafts().for_period(period).first()
    if existing:
        return existing
    last = (
        project.status_reports.submitted()
        .filter(period_start__lte=period.start)
        .order_by("-period_start", "-revision")
        .first()
    )
    if last is not None:
        values = last.carried_forward()
        if last.period_start != period.start:
            values.update({name: "" for name in NEW_WEEK_CLEARS})
    else:
        values = {
            "forecast_finish": project.forecast_finish,
            "spend_to_date": project.spend_to_date,
            "forecast_at_completion": project.forecast_at_completion,
        }
    revisions = project.status_reports.for_period(period).aggregate(top=Max("revision"))["top"]
    return StatusReport(
        project=project,
        period_start=period.start,
        revision=(revisions or 0) + 1,
        version=0,
        **values,
    )


def status_report_open(
    *, project: Project, period: Period, author: Author
) -> tuple[StatusReport, bool]:
    """This week's draft, saved; True when this call created it.

    Two people opening at once: the unique draft constraint lets one insert win, and the
    other reads the winner's draft.
    """
    report = status_report_start(project=project, period=period)
    if report.pk:
        return report, False
    report.version, report.author = 1, _user(author)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        return project.status_reports.drafts().for_period(period).get(), False
    return report, True


def status_report_save(
    *,
    report: StatusReport,
    version: int,
    changes: dict[str, Any],
    author: Author,
) -> StatusReport:
    """Save a draft's fields, only if it is still at `version`; raises StaleDraft if not."""
    updated = StatusReport.objects.filter(
        pk=report.pk, version=version, state=StatusReport.State.DRAFT
    ).update(**changes, author=_user(author), version=F("version") + 1, updated_at=timezone.now())
    if not updated:
        raise StaleDraft(StatusReport.objects.get(pk=report.pk))
    report.refresh_from_db()
    return report


def status_report_submit(
    *,
    report: StatusReport,
    version: int,
    changes: dict[str, Any],
    author: Author,
) -> StatusReport:
    """Make a draft a record: every dimension rated, a reason for each that is not green.

    The project's forecasts follow its newest report, and the health recomputation is
    enqueued once the submission has committed (a broker outage never fails the submit).
    """
    with transaction.atomic():
        current = StatusReport.objects.select_for_update().get(pk=report.pk)
        if current.state != StatusReport.State.DRAFT or current.version != version:
            raise StaleDraft(current)
        for name, value in changes.items():
            setattr(current, name, value)
        errors = current.submission_errors()
        if errors:
            raise ValidationError(errors)
        current.state = StatusReport.State.SUBMITTED
        current.submitted_at = timezone.now()
        current.author = _user(author)
        current.version += 1
        # Saving a submitted report asks for its project's health (portfolio.health.inputs);
        # the job runs after commit, so it also sees the forecasts copied here.
        current.save()
        _update_project_forecasts(current)
        status_report_submitted.send(sender=StatusReport, report=current)
    return current


def _user(author: Author) -> User | None:
    return author if author is not None and author.is_authenticated else None


def _update_project_forecasts(report: StatusReport) -> None:
    """The project record follows its newest period; a correction of an old week does not
    overwrite this week's figures."""
    newer = StatusReport.objects.submitted().filter(
        project_id=report.project_id, period_start__gt=report.period_start
    )
    if newer.exists():
        return
    fields = {
        name: getattr(report, name)
        for name in ("forecast_finish", "spend_to_date", "forecast_at_completion")
        if getattr(report, name) is not None
    }
    if fields:
        Project.objects.filter(pk=report.project_id).update(**fields)
