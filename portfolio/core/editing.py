"""One way to handle a create/edit form and an archive button, shared by every app."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

FORM_TEMPLATE = "components/object_form.html"


def handle_form(
    request: HttpRequest,
    form: BaseForm,
    *,
    title: str,
    save: Callable[[Any], models.Model] | None = None,
    success_url: str | None = None,
    cancel_url: str | None = None,
    template: str = FORM_TEMPLATE,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Validate and save on POST; show the form with errors beside the fields otherwise.

    `save` receives the valid form and may raise ValidationError keyed by field (the
    services' convention): those messages land next to their fields, and nothing is lost.
    """
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved: Any = save(form) if save else form.save()  # type: ignore[attr-defined]
        except ValidationError as exc:
            show_errors(form, exc)
        except IntegrityError:
            # Validation passed but a concurrent write got there first: say so, keep the input.
            form.add_error(
                None, "This clashes with a record saved a moment ago. Check and save again."
            )
        else:
            messages.success(request, f"Saved “{saved}”.")
            return redirect(success_url or saved.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        template,
        {"form": form, "title": title, "cancel_url": cancel_url, **(context or {})},
        status=status,
    )


def show_errors(form: BaseForm, error: ValidationError) -> None:
    """Errors keyed by a field the form shows go next to it; the rest go above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_POST
def toggle_archive(request: HttpRequest, obj: Any, *, success_url: str) -> HttpResponse:
    """Archive an active row or restore an archived one; POST only, never on GET."""
    if obj.is_archived:
        obj.restore()
        messages.success(request, f"Restored “{obj}”.")
    else:
        obj.archive()
        messages.success(request, f"Archived “{obj}”.")
    return redirect(success_url)


@require_POST
def delete_row(request: HttpRequest, obj: models.Model, *, success_url: str) -> HttpResponse:
    """Delete a dependent row (milestone, allocation…); its history keeps the record."""
    label = str(obj)
    obj.delete()
    messages.success(request, f"Deleted “{label}”.")
    return redirect(success_url)
