"""Scenario pages: the list (and a new scenario), a scenario with its changes and its
evaluation panels, applying (with its conflicts), discarding, and two side by side. A
scenario is seen by those `ScenarioQuerySet.visible_to` lets see it; others get 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portfolio.core.editing import show_errors
from portfolio.scenarios.access import may_apply_scenario, may_build_scenarios, may_change_scenario
from portfolio.scenarios.evaluation import evaluate
from portfolio.scenarios.forms import KINDS, ChangeForm, ScenarioForm, chosen_kind
from portfolio.scenarios.models import Scenario, ScenarioChange
from portfolio.scenarios.services import (
    ConflictsFound,
    scenario_apply,
    scenario_change_add,
    scenario_change_remove,
    scenario_conflicts,
    scenario_create,
    scenario_discard,
)

RECENT = 50


def _scenario(request: HttpRequest, pk: int) -> Scenario:
    return get_object_or_404(
        Scenario.objects.visible_to(request.user).select_related("portfolio", "programme"), pk=pk
    )


@login_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    may_build_scenarios.require(request.user)
    form = ScenarioForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        scenario = scenario_create(
            owner=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            description=form.cleaned_data["description"],
        )
        return redirect(scenario)
    scenarios = (
        Scenario.objects.visible_to(request.user)
        .select_related("portfolio", "programme", "owner")
        .order_by("-updated_at")[:RECENT]
    )
    status = 400 if form.errors else 200
    context = {"form": form, "scenarios": scenarios}
    return render(request, "scenarios/scenario_list.html", context, status=status)


@login_required
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    kind = chosen_kind(request.POST.get("kind") or request.GET.get("kind"))
    form = ChangeForm(request.POST or None, scenario=scenario, kind=kind)
    if request.htmx and request.method == "GET":  # type: ignore[attr-defined]
        # Another kind chosen: its fields only.
        context = {"scenario": scenario, "form": form, "kinds": KINDS, "kind": kind}
        return render(request, "scenarios/scenario_detail.html#change-form", context)
    if request.method == "POST":
        may_change_scenario.require(request.user, scenario)
        if form.is_valid():
            try:
                change = scenario_change_add(scenario=scenario, **form.change_fields())
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, f"Added “{change.describe()}”.")
                return redirect(scenario)
    context = {
        "scenario": scenario,
        "changes": scenario.changes.select_related("project", "person", "team"),
        "form": form,
        "kinds": KINDS,
        "kind": kind,
        "evaluation": evaluate(scenario, request.user),
        "may_apply": may_apply_scenario(request.user, scenario),
    }
    status = 400 if form.errors else 200
    return render(request, "scenarios/scenario_detail.html", context, status=status)


@login_required
@require_POST
def scenario_change_delete(request: HttpRequest, pk: int, change: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    may_change_scenario.require(request.user, scenario)
    found = get_object_or_404(ScenarioChange, scenario=scenario, pk=change)
    scenario_change_remove(change=found)
    messages.success(request, f"Removed “{found.describe()}”.")
    return redirect(scenario)


@login_required
def scenario_apply_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what applying writes and the conflicts to confirm; POST: apply."""
    scenario = _scenario(request, pk)
    may_apply_scenario.require(request.user, scenario)
    error = ""
    if request.method == "POST":
        try:
            scenario_apply(
                scenario=scenario,
                user=request.user,
                confirm_conflicts=request.POST.get("confirm_conflicts") == "on",
            )
        except ConflictsFound:
            error = "Tick the box to apply over these live changes, or discard the scenario."
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, f"Applied “{scenario}” to live data.")
            return redirect(scenario)
    context = {
        "scenario": scenario,
        "changes": scenario.changes.select_related("project", "person", "team"),
        "conflicts": scenario_conflicts(scenario),
        "error": error,
    }
    status = 409 if error else 200
    return render(request, "scenarios/scenario_apply.html", context, status=status)


@login_required
@require_POST
def scenario_discard_view(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    may_change_scenario.require(request.user, scenario)
    scenario_discard(scenario=scenario)
    messages.success(request, f"Discarded “{scenario}”.")
    return redirect("scenarios:list")


@login_required
def scenario_compare(request: HttpRequest) -> HttpResponse:
    """Two scenarios side by side (?a=&b=), each beside live."""
    may_build_scenarios.require(request.user)
    visible = Scenario.objects.visible_to(request.user).select_related("portfolio", "programme")
    chosen = [
        get_object_or_404(visible, pk=raw)
        for raw in (request.GET.get("a"), request.GET.get("b"))
        if raw and raw.isdigit()
    ]
    context = {
        "scenarios": visible.order_by("-updated_at")[:RECENT],
        "chosen": [(s, evaluate(s, request.user)) for s in chosen],
        "a": request.GET.get("a", ""),
        "b": request.GET.get("b", ""),
    }
    return render(request, "scenarios/scenario_compare.html", context)
