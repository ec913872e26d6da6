"""Form pieces every app uses, and the one way a dropdown is narrowed to what a user may see.

A choice among rows (a form's foreign key, a filter's dropdown, an API field naming a
related row) offers only the rows a *scope* gives the requesting user: a function of the
user returning a QuerySet, named once in the app's `access.py` (`portfolio_choices`,
`project_choices`…). Forms (`ScopedChoicesForm`), filter sets
(`portfolio.core.filtering.ScopedFilterSet`) and serializers
(`portfolio.core.api.ScopedModelSerializer`) each declare `scoped_fields = {name: scope}`
and narrow through `scope_choices`, so a row outside the user's reach is neither listed nor
accepted ("not a valid choice", as if it did not exist).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib.auth.models import AnonymousUser

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portfolio.core.roles import AnyUser

Scope = Callable[["AnyUser"], "QuerySet[Any]"]


def scope_choices(fields: Mapping[str, Any], scopes: Mapping[str, Scope], user: Any) -> None:
    """Narrow each field named in `scopes` to the rows its scope gives `user`.

    `fields` are a form's fields, a filter set's filters or a serializer's fields: each kind
    reads its choices from a `queryset` attribute (a DRF many-field from its child). Without a
    user (an API schema being drawn), nothing is offered.
    """
    user = user if user is not None else AnonymousUser()
    for name, scope in scopes.items():
        field = fields[name]
        getattr(field, "child_relation", field).queryset = scope(user)


class ScopedChoicesForm(forms.BaseForm):
    """A form whose `scoped_fields` offer only what the user may see; built with `user=`."""

    scoped_fields: ClassVar[Mapping[str, Scope]] = {}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_choices(self.fields, self.scoped_fields, user)


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as ISO 8601."""

    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)  # type: ignore[arg-type]


def date_widgets(*names: str) -> dict[str, forms.Widget]:
    return {name: DateInput() for name in names}
