"""The history tab: who changed what, and when, for an object and the records it holds.

django-simple-history stores a full copy of a row per change; diffs are computed here in
memory, pairing each copy with the previous copy of the same row (one query per model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from programmes.models import Person, Portfolio, Programme
from projects.models import Project

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
HIDDEN_FIELDS = {
    "id",
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
}
TIMELINE_LIMIT = 200


@dataclass(frozen=True)
class Change:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class Entry:
    when: datetime
    who: str
    what: str  # "Milestone “Go live”"
    action: str
    changes: list[Change]


def _label(record: Any, field_name: str) -> str:
    return str(record.instance_type._meta.get_field(field_name).verbose_name).capitalize()


# {field name: {id: the related row's name}}: what a foreign key shows in the timeline.
RelatedNames = dict[str, dict[Any, str]]


def _display(record: Any, field_name: str, related: RelatedNames) -> object:
    field = record.instance_type._meta.get_field(field_name)
    if field.is_relation:
        pk = getattr(record, field.attname)
        if pk is None:
            return None
        # A row deleted since is named by its kind and id rather than shown as a bare number.
        kind = field.related_model._meta.verbose_name
        return related.get(field_name, {}).get(pk, f"{kind} #{pk} (deleted)")
    if field.choices:
        return getattr(record, f"get_{field_name}_display")()
    return getattr(record, field_name)


def _name(record: Any) -> str:
    # str(record) reads "X as of <timestamp>"; a row's own __str__ may query related rows.
    return str(getattr(record, "name", None) or getattr(record, "title", None) or record.instance)


def _related_names(records: list[Any], fields: Iterable[str], model: type[Model]) -> RelatedNames:
    """The current names of the rows the records' foreign keys point at: one query per
    related model, however many records. Compared by id, so a rename is not a change."""
    names: RelatedNames = {}
    for field in model._meta.fields:
        related_model = field.related_model
        if field.name not in fields or not isinstance(related_model, type):
            continue
        ids = {getattr(record, field.attname) for record in records} - {None}
        if ids:
            rows = related_model._base_manager.filter(pk__in=ids)
            names[field.name] = {
                row.pk: str(getattr(row, "name", None) or getattr(row, "title", None) or row)
                for row in rows
            }
    return names


def entries(history: QuerySet) -> list[Entry]:
    """Timeline entries for one historical model's rows, each with its field changes."""
    records = list(history.select_related("history_user").order_by("history_date", "history_id"))
    # {name: attname}: compared by stored value (a foreign key by id), shown by name.
    fields = {
        f.name: f.attname
        for f in history.model.instance_type._meta.fields
        if f.name not in HIDDEN_FIELDS
    }
    related = _related_names(records, fields, history.model.instance_type)
    previous: dict[Any, Any] = {}
    result = []
    for record in records:
        before = previous.get(record.id)
        changes = []
        if before is not None:
            for name, attname in fields.items():
                if getattr(before, attname) == getattr(record, attname):
                    continue
                old, new = _display(before, name, related), _display(record, name, related)
                changes.append(Change(_label(record, name), old, new))
        previous[record.id] = record
        if before is not None and not changes and record.history_type == "~":
            continue  # a save that changed nothing
        kind = record.instance_type._meta.verbose_name.capitalize()
        result.append(
            Entry(
                when=record.history_date,
                who=str(record.history_user or "system"),
                what=f"{kind} “{_name(record)}”",
                action=ACTIONS.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
    return result


def _project_histories(project: Project) -> Iterable[QuerySet]:
    yield Project.history.filter(id=project.pk)
    for model in ("milestones", "risks", "issues", "allocations"):
        related = getattr(project, model).model
        yield related.history.filter(project_id=project.pk)
    yield project.dependencies.model.history.filter(downstream_id=project.pk)


def _programme_histories(programme: Programme) -> Iterable[QuerySet]:
    yield Programme.history.filter(id=programme.pk)
    for model in ("benefits", "stakeholders", "risks", "issues"):
        related = getattr(programme, model).model
        yield related.history.filter(programme_id=programme.pk)


def _single(model: type[Model]) -> Callable[[Any], Iterable[QuerySet]]:
    return lambda obj: [model.history.filter(id=obj.pk)]  # type: ignore[attr-defined]


# What may carry a history tab: the readable rows, and where their history comes from.
SUBJECTS: dict[str, tuple[Callable[[Any], QuerySet], Callable[[Any], Iterable[QuerySet]]]] = {
    "project": (lambda user: Project.objects.visible_to(user), _project_histories),
    "programme": (lambda user: Programme.objects.visible_to(user), _programme_histories),
    "portfolio": (lambda user: Portfolio.objects.visible_to(user), _single(Portfolio)),
    "person": (lambda user: Person.objects.visible_to(user), _single(Person)),
}


@login_required
def history(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    if subject not in SUBJECTS:
        raise Http404
    visible, histories = SUBJECTS[subject]
    obj = get_object_or_404(visible(request.user), pk=pk)
    timeline = sorted(
        (entry for qs in histories(obj) for entry in entries(qs)),
        key=lambda entry: entry.when,
        reverse=True,
    )[:TIMELINE_LIMIT]
    return render(request, "components/history.html", {"object": obj, "timeline": timeline})
