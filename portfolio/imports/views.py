"""Import pages: upload, map columns, preview (the dry run), commit, follow the job.

PMO only: everyone else gets 403 on every page, fragments included.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from portfolio.core.access import refuse_unless
from portfolio.core.exports import FORMATS, export_rows
from portfolio.imports.columns import ALSO, TARGETS, mapping_initial, starting_mapping
from portfolio.imports.downloads import mapping_document, problem_rows, rejected_rows_csv
from portfolio.imports.forms import MappingForm, ReadAsForm, UploadForm
from portfolio.imports.models import ImportJob
from portfolio.imports.options import (
    import_options_of,
    parse_job_file,
    parse_job_file_or_none,
    reading_options_of,
)
from portfolio.imports.planning import PREVIEW_ROWS, import_dry_run
from portfolio.imports.progress import import_progress
from portfolio.imports.reading import MAX_UPLOAD_BYTES, FileProblem, ParsedFile
from portfolio.imports.services import (
    import_job_create,
    import_job_request,
    import_job_reread,
    import_job_resend,
    import_job_set_mapping,
    is_stale,
)
from programmes.access import is_pmo

MAX_ISSUES_SHOWN = 200


def _require_pmo(request: HttpRequest) -> None:
    refuse_unless(is_pmo(request.user), "Only the PMO imports portfolios.")


class _SizeLimitHandler(FileUploadHandler):
    """Drops an uploaded file as soon as it passes the limit, before it is stored or read."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers store the file


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    _require_pmo(request)
    jobs = ImportJob.objects.select_related("created_by").defer("data")[:50]
    return render(request, "imports/list.html", {"jobs": jobs})


# The size limit must be in place before the CSRF check reads the request body, hence
# csrf_exempt outside and csrf_protect inside (Django's documented pattern).
@login_required
@csrf_exempt
def upload(request: HttpRequest) -> HttpResponse:
    _require_pmo(request)
    limiter = _SizeLimitHandler(request, MAX_UPLOAD_BYTES)
    request.upload_handlers.insert(0, limiter)
    return _upload(request, limiter)


@csrf_protect
def _upload(request: HttpRequest, limiter: _SizeLimitHandler) -> HttpResponse:
    if request.method == "POST":
        form = UploadForm(
            request.POST, request.FILES, too_large=limiter.too_large, owner=request.user.pk
        )
        if form.is_valid() and form.parsed is not None:
            job = import_job_create(
                filename=form.filename,
                content=form.content,
                parsed=form.parsed,
                mapping=form.cleaned_data["mapping"],
                user_id=request.user.pk,
                reading=form.options,
            )
            return redirect("imports:mapping", pk=job.pk)
        form.keep_file()
        status = 413 if limiter.too_large else 400
    else:
        form, status = UploadForm(), 200
    return render(request, "imports/upload.html", {"form": form}, status=status)


@login_required
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    _require_pmo(request)
    job = get_object_or_404(ImportJob, pk=pk)
    if not job.is_draft:
        return redirect(job)
    reading = _reading_context(job)
    initial = {
        **mapping_initial(job, reading["parsed"]),
        **import_options_of(job).as_json(),
        "period": job.period,
    }
    form = MappingForm(request.POST or None, headers=job.headers, initial=initial)
    if request.method == "POST" and form.is_valid():
        import_job_set_mapping(
            job=job,
            columns=form.columns(),
            cost_unit=form.cleaned_data["cost_unit"],
            save_as=form.cleaned_data["save_as"].strip(),
            user_id=request.user.pk,
            reading=form.reading_options(reading_options_of(job)),
            options=form.import_options(),
            period=form.cleaned_data["period"],
        )
        return redirect("imports:preview", pk=job.pk)
    return render(
        request,
        "imports/mapping.html",
        {"job": job, "form": form, **reading},
        status=400 if form.errors else 200,
    )


def _reading_context(job: ImportJob) -> dict[str, Any]:
    """What reading the file found, and the form to read it otherwise."""
    try:
        parsed, problem = parse_job_file(job), ""
    except FileProblem as exc:
        parsed, problem = None, str(exc)
    options = reading_options_of(job)
    read_as = ReadAsForm(
        parsed=parsed,
        initial={
            "encoding": options.encoding,
            "delimiter": options.delimiter.replace("\t", "\\t"),
            "sheet": options.sheet,
        },
    )
    return {
        "parsed": parsed,
        "read_problem": problem,
        "read_as": read_as,
        "targets": [(form_key, form_key + ALSO) for form_key in (t.key for t in TARGETS)],
    }


@login_required
def read_as(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the job's file again with the encoding, delimiter or sheet the PMO chose."""
    _require_pmo(request)
    job = get_object_or_404(ImportJob, pk=pk)
    if not job.is_draft:
        return redirect(job)
    if request.method != "POST":
        return redirect("imports:mapping", pk=job.pk)
    form = ReadAsForm(request.POST, parsed=parse_job_file_or_none(job))
    if form.is_valid():
        try:
            import_job_reread(job=job, **form.overrides())
        except FileProblem as exc:
            messages.error(request, str(exc))
    return redirect("imports:mapping", pk=job.pk)


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the dry run. POST: commit, when the dry run allows it."""
    _require_pmo(request)
    job = get_object_or_404(ImportJob, pk=pk)
    if not job.is_draft:
        return redirect(job)
    if not job.columns:
        return redirect("imports:mapping", pk=job.pk)
    dry_run = import_dry_run(job)
    partial = request.POST.get("partial") == "1"
    if request.method == "POST" and (dry_run.can_commit or (partial and dry_run.can_commit_partly)):
        import_job_request(job=job, partial=partial)
        return redirect(job)
    plan = dry_run.plan
    context: dict[str, Any] = {
        "job": job,
        "dry_run": dry_run,
        "plan": plan,
        "counts": plan.counts() if plan else {},
        "rows": plan.rows[:PREVIEW_ROWS] if plan else [],
        "errors": plan.errors[:MAX_ISSUES_SHOWN] if plan else [],
        "warnings": plan.warnings[:MAX_ISSUES_SHOWN] if plan else [],
        "preview_rows": PREVIEW_ROWS,
        "max_issues": MAX_ISSUES_SHOWN,
        "rejected_count": len(plan.rejected_rows) if plan else 0,
        "closing": len(plan.to_close) if plan else 0,
        # Chosen with the partial button (a refused POST comes back here) or by the API.
        "partial_chosen": partial or job.partial,
    }
    status = 409 if request.method == "POST" else 200
    return render(request, "imports/preview.html", context, status=status)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's status; while it runs, the page polls the `progress` partial."""
    _require_pmo(request)
    job = get_object_or_404(ImportJob.objects.defer("data").select_related("created_by"), pk=pk)
    if job.is_draft:
        return redirect("imports:preview", pk=job.pk)
    if request.method == "POST":
        import_job_resend(job=job)
        messages.info(request, "The import was sent to the task queue again.")
        return redirect(job)
    context = {
        "job": job,
        "problem_count": len(job.row_errors),
        "progress": import_progress(job),
        "stale": is_stale(job),
        "row_errors": job.row_errors[:MAX_ISSUES_SHOWN],
    }
    template = "imports/job.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#progress"
    return render(request, template, context)


@login_required
def mapping_document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The mapping as the mapping page shows it, as JSON for `manage.py import_portfolio`."""
    _require_pmo(request)
    job = get_object_or_404(ImportJob, pk=pk)
    columns, reading = starting_mapping(job, parse_job_file_or_none(job))
    document = mapping_document(columns, reading, import_options_of(job))
    response = JsonResponse(document, json_dumps_params={"indent": 2})
    name = (job.mapping.name if job.mapping else f"import-{job.pk}-mapping").replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


def _issues_of(job: ImportJob) -> tuple[list[dict[str, Any]], ParsedFile | None]:
    """A draft's problems from its dry run; a finished job's from its record."""
    if not job.is_draft:
        try:
            parsed = parse_job_file(job)
        except FileProblem:
            parsed = None
        return list(job.row_errors), parsed
    dry_run = import_dry_run(job)
    if dry_run.plan is None:
        problem = {"row": 0, "field": "", "column": "", "message": dry_run.problem}
        return [problem], dry_run.parsed
    return [issue.as_dict() for issue in dry_run.plan.errors], dry_run.parsed


@login_required
def problems_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Every problem of the file (the pages list the first 200)."""
    _require_pmo(request)
    job = get_object_or_404(ImportJob, pk=pk)
    issues, _ = _issues_of(job)
    return export_rows(problem_rows(issues), "csv", f"import-{job.pk}-problems")


@login_required
def rejected_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows left out, as the file gave them, with a reason column: to fix and upload."""
    _require_pmo(request)
    job = get_object_or_404(ImportJob, pk=pk)
    issues, parsed = _issues_of(job)
    if parsed is None:
        return HttpResponse("The file cannot be read, so it has no rows to give back.", status=409)
    response = HttpResponse(rejected_rows_csv(parsed, issues), content_type=FORMATS["csv"])
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected-rows.csv"'
    return response
