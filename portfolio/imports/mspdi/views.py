"""The Microsoft Project import page of a project: upload, preview, commit.

For whoever writes the project's milestones (its manager, PMO); a 404 for everyone else, as
the project's other delivery pages. Between the preview and the commit the file waits in
the cache, keyed by the user, the project and the file's digest, so the commit imports
exactly the file that was previewed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from portfolio.imports.mspdi.forms import PlanUploadForm
from portfolio.imports.mspdi.planning import Preview, mspdi_preview
from portfolio.imports.mspdi.reading import PlanProblem, read_plan
from portfolio.imports.mspdi.services import mspdi_import
from projects.models import Project

HELD_SECONDS = 60 * 60
TEMPLATE = "imports/mspdi.html"


def _held_key(request: HttpRequest, project: Project, token: str) -> str:
    return f"mspdi:{request.user.pk}:{project.pk}:{token}"


@login_required
def mspdi_import_page(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.delivered_by(request.user), pk=pk)
    if request.method == "POST" and "token" in request.POST:
        return _commit(request, project, request.POST["token"])
    if request.method != "POST":
        return render(request, TEMPLATE, {"project": project, "form": PlanUploadForm()})
    form = PlanUploadForm(request.POST, request.FILES)
    if not form.is_valid() or form.plan is None:
        return render(request, TEMPLATE, {"project": project, "form": form}, status=400)
    token = hashlib.sha256(form.content).hexdigest()
    cache.set(_held_key(request, project, token), form.content, HELD_SECONDS)
    preview = mspdi_preview(plan=form.plan, project=project, user=request.user)
    return _render_preview(request, preview, token)


def _commit(request: HttpRequest, project: Project, token: str) -> HttpResponse:
    content = cache.get(_held_key(request, project, token))
    if content is None:
        context = {
            "project": project,
            "form": PlanUploadForm(),
            "problem": "The previewed file is no longer held (after an hour); upload it again.",
        }
        return render(request, TEMPLATE, context, status=400)
    try:
        plan = read_plan(content)
    except PlanProblem:  # it was read for the preview; only a changed reader gets here
        return redirect("imports:mspdi", pk=project.pk)
    try:
        preview = mspdi_import(project=project, plan=plan, user=request.user)
    except ValidationError as exc:  # e.g. a cycle another user closed since the preview
        preview = mspdi_preview(plan=plan, project=project, user=request.user)
        problem = "Nothing was imported: " + " ".join(exc.messages)
        return _render_preview(request, preview, token, problem, status=409)
    if not preview.can_commit:
        return _render_preview(request, preview, token, status=409)
    cache.delete(_held_key(request, project, token))
    counts = preview.counts()
    messages.success(
        request,
        f"Imported {plan.name or 'the plan'}: "
        f"{_count(counts['create'], 'milestone')} created, {counts['update']} updated, "
        f"{_count(counts['dependencies'], 'dependency', 'dependencies')} recorded.",
    )
    return redirect(project)


def _count(n: int, singular: str, plural: str = "") -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _render_preview(
    request: HttpRequest, preview: Preview, token: str, problem: str = "", status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "project": preview.project,
        "form": PlanUploadForm(),
        "problem": problem,
        "preview": preview,
        "counts": preview.counts(),
        "token": token,
    }
    return render(request, TEMPLATE, context, status=status)
