"""Stage 5, the commit, and the import job's life: the multi-step writes of the importer.

A job is created from an upload (`import_job_create`), given its mapping
(`import_job_set_mapping`), queued once previewed (`import_job_request`) and run by a
worker (`import_job_run`): the file is read, cleaned and planned again and, if the plan has
no errors, written by `apply_plan` in one transaction, so an import is saved entirely or
not at all. A job the broker never delivered is published again (`import_job_resend`,
`pending_jobs_to_resend`). What it leaves behind is the job row: counts, or the error and
the rows at fault; `progress` reports on it while it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from portfolio.core.queue import enqueue_on_commit, publish
from portfolio.core.signals import health_inputs_changed
from portfolio.health.rollup import record_past_health
from portfolio.imports.cleaning import RowIssue, clean_rows
from portfolio.imports.columns import mapping_refusal
from portfolio.imports.models import ImportJob, ImportMapping
from portfolio.imports.options import (
    ImportOptions,
    OptionsProblem,
    ReadingOptions,
    parse_job_file,
    parse_with,
    reading_options_of,
)
from portfolio.imports.planning import Plan, plan_import
from portfolio.imports.progress import forget_progress, record_progress
from portfolio.imports.reading import FileProblem, ParsedFile
from programmes.models import HealthPolicy, Portfolio, Programme
from projects.models import Project, StatusReport

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

# The registered name of `portfolio.imports.tasks.run_import`: the tasks module imports
# this one, so the services publish the job by name.
RUN_TASK = "imports.run"
BATCH_SIZE = 500
# Pending for this long, the worker has probably not received the job (broker down).
STALE_PENDING = timedelta(seconds=30)


# -- The job -------------------------------------------------------------------------------


class ImportRejected(Exception):
    """The file cannot be committed as it stands; nothing was written."""

    def __init__(self, message: str, issues: list[RowIssue] | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []


def import_job_create(
    *,
    filename: str,
    content: bytes,
    parsed: ParsedFile,
    mapping: ImportMapping | None,
    user_id: int | None,
    reading: ReadingOptions | None = None,
) -> ImportJob:
    """Keep an uploaded file, already read once, as a draft job awaiting its mapping.

    The job starts with the reading options the upload was read with (a saved mapping's).
    """
    if reading is None and mapping is not None:
        reading = reading_options_of(mapping)
    return ImportJob.objects.create(
        filename=filename[:255],
        data=content,
        size=len(content),
        file_format=parsed.file_format,
        encoding=parsed.encoding,
        headers=parsed.headers,
        row_count=len(parsed.rows),
        mapping=mapping,
        reading=reading.as_json() if reading is not None else {},
        created_by_id=user_id,
    )


def import_job_reread(*, job: ImportJob, encoding: str, delimiter: str, sheet: str) -> ImportJob:
    """Read a job's file again as the PMO says (encoding, delimiter, sheet; "" detects).

    Raises FileProblem, leaving the job as it was, when the file cannot be read so. Columns
    already mapped are kept while the file still has them.
    """
    options = reading_options_of(job).with_file_overrides(
        encoding=encoding, delimiter=delimiter, sheet=sheet
    )
    parsed = parse_with(bytes(job.data), options)
    job.reading = options.as_json()
    job.encoding = parsed.encoding
    job.headers = parsed.headers
    job.row_count = len(parsed.rows)
    job.columns = {key: column for key, column in job.columns.items() if column in parsed.headers}
    job.save(update_fields=["reading", "encoding", "headers", "row_count", "columns", "updated_at"])
    return job


def import_job_set_mapping(
    *,
    job: ImportJob,
    columns: dict[str, str],
    cost_unit: str,
    save_as: str = "",
    user_id: int | None = None,
    reading: ReadingOptions | None = None,
    options: ImportOptions | None = None,
    period: date | None = None,
) -> ImportJob:
    """Record the job's mapping and options, and save them by name when asked.

    The reading and import options are saved with the mapping (they hold for a series of
    returns); the reporting date is this file's own, and partial mode is chosen when the
    job is queued. Without `reading` the job keeps the reading options it has (the file
    overrides chosen on the mapping page among them).
    """
    reading_json = reading.as_json() if reading is not None else job.reading
    saved: dict[str, Any] = {"columns": columns, "cost_unit": cost_unit, "reading": reading_json}
    if options is not None:
        saved["options"] = options.as_json()
    with transaction.atomic():
        if save_as:
            job.mapping, _ = ImportMapping.objects.update_or_create(
                name=save_as,
                defaults=saved,
                create_defaults={**saved, "created_by_id": user_id},
            )
        job.columns = columns
        job.cost_unit = cost_unit
        job.reading = reading_json
        job.options = (options or ImportOptions()).as_json()
        job.period = period
        job.save(
            update_fields=[
                "mapping",
                "columns",
                "cost_unit",
                "reading",
                "options",
                "period",
                "updated_at",
            ]
        )
    return job


def import_job_request(*, job: ImportJob, partial: bool = False) -> bool:
    """Queue a previewed job for a worker; False if it was already queued (a second click).

    With `partial`, the valid rows are imported and the rejected ones left out.
    """
    with transaction.atomic():
        claimed = ImportJob.objects.claim(
            job.pk,
            from_statuses=[ImportJob.Status.DRAFT],
            to_status=ImportJob.Status.PENDING,
            queued_at=timezone.now(),
            progress_done=0,
            progress_total=job.row_count,
            partial=partial,
        )
        if claimed:
            enqueue_on_commit(RUN_TASK, job.pk)
    return bool(claimed)


def import_job_run_here(*, job: ImportJob, partial: bool = False) -> ImportJob:
    """Commit a previewed job in this process (a script, no worker): the same claim and
    transaction as a worker's, so it is all-or-nothing unless `partial`."""
    ImportJob.objects.claim(
        job.pk,
        from_statuses=[ImportJob.Status.DRAFT],
        to_status=ImportJob.Status.PENDING,
        queued_at=timezone.now(),
        progress_done=0,
        progress_total=job.row_count,
        partial=partial,
    )
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_job_resend(*, job: ImportJob) -> None:
    """Publish a pending job again (the broker was down); the claim makes a repeat harmless."""
    if job.status == ImportJob.Status.PENDING:
        publish(RUN_TASK, job.pk)


def import_job_run(*, job_id: int) -> None:
    """Commit a pending job's file in one transaction; safe to run twice or concurrently.

    1. Claim the job (pending, or running after a lost worker) with a conditional UPDATE.
    2. In one transaction: lock the job row (a duplicate delivery waits here, then finds
       the job finished), re-read and re-check the file, write it, mark the job done.
    3. Row errors, or a refusal by the database, roll everything back and fail the job.
    """
    claimed = ImportJob.objects.claim(
        job_id,
        from_statuses=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING],
        to_status=ImportJob.Status.RUNNING,
        started_at=timezone.now(),
    )
    if not claimed:
        return
    try:
        with transaction.atomic():
            _serialise_imports()
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ImportJob.Status.RUNNING:
                return
            _commit(job)
    except ImportRejected as exc:
        _fail(job_id, str(exc), exc.issues)
    except DatabaseError as exc:
        # A constraint the checks did not foresee, or a concurrent edit: nothing was saved.
        logger.warning("Import %s refused by the database: %s", job_id, exc)
        _fail(job_id, f"The database refused the import, so nothing was saved: {exc}")
    except Exception:
        _fail(job_id, "The import failed unexpectedly, so nothing was saved.")
        raise
    finally:
        forget_progress(job_id)


def _commit(job: ImportJob) -> None:
    try:
        parsed = parse_job_file(job)
    except FileProblem as exc:
        raise ImportRejected(str(exc)) from None
    refusal = mapping_refusal(job.columns, parsed.headers)
    if refusal:
        raise ImportRejected(refusal)
    try:
        options = ImportOptions.from_json(job.options)
    except OptionsProblem as exc:
        raise ImportRejected(str(exc)) from None
    record_progress(job.pk, 0, len(parsed.rows), "Checking rows")
    rows, errors, warnings = clean_rows(parsed, job.columns, job.cost_unit, reading_options_of(job))
    plan = plan_import(rows, job.columns, errors, warnings, options=options, period=job.period)
    if plan.errors and not (job.partial and plan.can_commit_partly):
        raise ImportRejected(
            f"{len(plan.errors):,} problems in the file; nothing was saved.", plan.errors
        )
    counts = apply_plan(
        plan,
        user=job.created_by,
        reason=f"Import #{job.pk} from {job.filename}"[:100],
        progress=lambda done, total: record_progress(job.pk, done, total, "Saving projects"),
    )
    job.status = ImportJob.Status.SUCCEEDED
    job.counts = counts
    job.progress_total = job.progress_done = len(plan.rows)
    # In partial mode the rows left out are the job's record of what to fix.
    job.error = (
        f"{len(plan.rejected_rows):,} rows were left out; the others were imported."
        if plan.errors
        else ""
    )
    job.row_errors = [issue.as_dict() for issue in plan.errors]
    job.finished_at = timezone.now()
    job.save()


def _serialise_imports() -> None:
    """One import at a time on PostgreSQL, so two cannot both create the same portfolio."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('stationmaster-import'))")


def _fail(job_id: int, message: str, issues: list[RowIssue] | None = None) -> None:
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED,
        error=message,
        row_errors=[issue.as_dict() for issue in issues or []],
        finished_at=now,
        updated_at=now,
    )


def is_stale(job: ImportJob, now: datetime | None = None) -> bool:
    queued = job.queued_at or job.created_at
    return job.status == ImportJob.Status.PENDING and (now or timezone.now()) - queued > (
        STALE_PENDING
    )


def pending_jobs_to_resend(now: datetime | None = None) -> list[int]:
    cutoff = (now or timezone.now()) - STALE_PENDING
    return list(
        ImportJob.objects.filter(status=ImportJob.Status.PENDING, queued_at__lt=cutoff)
        .order_by("queued_at")
        .values_list("pk", flat=True)
    )


# -- Writing a plan ------------------------------------------------------------------------

ProgressCallback = Callable[[int, int], None]


def apply_plan(
    plan: Plan,
    *,
    user: AbstractBaseUser | None,
    reason: str,
    progress: ProgressCallback | None = None,
) -> dict[str, dict[str, int]]:
    """Write a plan (inside the caller's transaction); the audit history is written too."""
    history = {"default_user": user, "default_change_reason": reason}
    total = len(plan.projects.new) + len(plan.projects.changed)
    _report(progress, 0, total)

    bulk_create_with_history(plan.portfolios.new, Portfolio, batch_size=BATCH_SIZE, **history)
    policies = [HealthPolicy(portfolio=portfolio) for portfolio in plan.portfolios.new]
    bulk_create_with_history(policies, HealthPolicy, batch_size=BATCH_SIZE, **history)
    if plan.portfolios.changed:
        bulk_update_with_history(
            plan.portfolios.changed,
            Portfolio,
            sorted(plan.portfolios.changed_fields),
            batch_size=BATCH_SIZE,
            **history,
        )
    # Django copies the pk a related object got since its assignment (a new portfolio's,
    # a new programme's) into the foreign key when bulk_create or bulk_update runs.
    bulk_create_with_history(plan.programmes.new, Programme, batch_size=BATCH_SIZE, **history)
    if plan.programmes.changed:
        bulk_update_with_history(
            plan.programmes.changed,
            Programme,
            sorted(plan.programmes.changed_fields),
            batch_size=BATCH_SIZE,
            **history,
        )
    done = 0
    for batch in _batches(plan.projects.new):
        bulk_create_with_history(batch, Project, batch_size=BATCH_SIZE, **history)
        done += len(batch)
        _report(progress, done, total)
    project_fields = sorted(plan.projects.changed_fields)
    for batch in _batches(plan.projects.changed):
        bulk_update_with_history(batch, Project, project_fields, batch_size=BATCH_SIZE, **history)
        done += len(batch)
        _report(progress, done, total)
    reports = _write_reports(plan, user)
    closed = _close_missing(plan, history)
    _record_past_health(plan)
    # Bulk writes send no model signals: name what was written, so that its health is
    # computed as soon as the import commits (one request per subject, however many rows).
    health_inputs_changed.send(
        sender=Project,
        rows=[
            *plan.portfolios.new,
            *plan.portfolios.changed,
            *plan.programmes.new,
            *plan.programmes.changed,
            *plan.projects.new,
            *plan.projects.changed,
            *reports,
            *closed,
            *Programme.objects.filter(pk__in=plan.left_programmes),
            *Portfolio.objects.filter(pk__in=plan.left_portfolios),
        ],
    )
    return plan.counts()


def _write_reports(plan: Plan, user: AbstractBaseUser | None) -> list[StatusReport]:
    """Each rated row as a submitted report of its period, by the importing user.

    1. The reports an earlier import of the same periods left for these projects go: a
       return imported again replaces its own reports; reports written by hand stay.
    2. The new report is the period's newest revision, submitted at the end of the
       reporting day, so "as of" that day and the trend see it.
    """
    if not plan.reports:
        return []
    pairs = {(report.project.pk, report.period.start) for report in plan.reports}
    earlier = StatusReport.objects.filter(
        source=StatusReport.Source.IMPORT,
        project_id__in={pk for pk, _ in pairs},
        period_start__in={start for _, start in pairs},
    ).values_list("pk", "project_id", "period_start")
    replaced = StatusReport.objects.filter(
        pk__in=[pk for pk, project, start in earlier if (project, start) in pairs]
    )
    # Without signals: Django would otherwise delete row by row to run the health signal
    # for each report (minutes for a large return). The new reports name the same projects
    # to health below, and no table refers to a status report.
    replaced._raw_delete(replaced.db)
    revisions = _top_revisions(pairs)
    rows = [
        StatusReport(
            project=report.project,
            period_start=report.period.start,
            revision=revisions.get((report.project.pk, report.period.start), 0) + 1,
            state=StatusReport.State.SUBMITTED,
            source=StatusReport.Source.IMPORT,
            author_id=user.pk if user is not None else None,
            submitted_at=end_of_day(report.reported_on),
            **report.values,
        )
        for report in plan.reports
    ]
    return StatusReport.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _batches(objs: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(objs), BATCH_SIZE):
        yield objs[start : start + BATCH_SIZE]


def _report(progress: ProgressCallback | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _top_revisions(pairs: set[tuple[int, date]]) -> dict[tuple[int, date], int]:
    """The newest revision of each (project, period) that already has reports."""
    found = (
        StatusReport.objects.filter(
            project_id__in={pk for pk, _ in pairs}, period_start__in={s for _, s in pairs}
        )
        .values("project_id", "period_start")
        .annotate(top=Max("revision"))
        .order_by()
    )
    return {(row["project_id"], row["period_start"]): row["top"] for row in found}


def end_of_day(day: date) -> datetime:
    """The last moment of a reporting day in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _close_missing(plan: Plan, history: dict[str, Any]) -> list[Project]:
    """Close the projects a later return no longer lists (when the PMO asked)."""
    for project in plan.to_close:
        project.stage = Project.Stage.CLOSED
    if plan.to_close:
        bulk_update_with_history(
            plan.to_close, Project, ["stage"], batch_size=BATCH_SIZE, **history
        )
    return plan.to_close


def _record_past_health(plan: Plan) -> None:
    """Health snapshots at each past reporting date of the file, for the portfolios it
    touched, so that trends and "as of" show every imported return."""
    today = timezone.localdate()
    days = sorted({report.reported_on for report in plan.reports if report.reported_on < today})
    if not days:
        return
    portfolio_ids = {report.project.portfolio_id for report in plan.reports}
    for day in days:
        record_past_health(end_of_day(day), portfolio_ids)
