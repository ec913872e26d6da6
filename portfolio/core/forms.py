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
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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
        _search_on_server(field, scope)


def _search_on_server(field: Any, scope: Scope) -> None:
    """A SearchableSelect whose rows are exactly a registered scope's searches them on the
    server (see `searchable`): a form field's own widget, or the widget a filter will build
    its field with (each filter set holds its own copy of its filters)."""
    kind = _KINDS.get(scope)
    if kind is None:
        return
    widget = getattr(field, "widget", None)
    if isinstance(widget, SearchableSelect):
        widget.search = kind
    extra = getattr(field, "extra", None)
    if isinstance(extra, dict) and (
        extra.get("widget") is SearchableSelect or isinstance(extra.get("widget"), SearchableSelect)
    ):
        extra["widget"] = SearchableSelect(search=kind)


class ScopedChoicesForm(forms.BaseForm):
    """A form whose `scoped_fields` offer only what the user may see; built with `user=`."""

    scoped_fields: ClassVar[Mapping[str, Scope]] = {}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_choices(self.fields, self.scoped_fields, user)


# One way to type a date, the same in every browser locale: ISO 8601, as in 2027-02-22;
# "22 Feb 2027", the way the app prints dates, is understood too. A browser's own date picker
# (type=date) orders day and month by the OS locale (mm/dd/yyyy in the US) while the app
# prints "22 Feb 2027", so dates are plain text inputs that state their format.
DATE_HINT = "YYYY-MM-DD"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d %b %Y", "%d %B %Y"]


def typed_date(raw: str) -> date | None:
    """A date as a person typed it under the convention above; None when it is not one."""
    for spelling in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(raw.strip(), spelling).date()
        except ValueError:
            continue
    return None


class DateInput(forms.DateInput):
    """A text input that asks for YYYY-MM-DD and shows a stored date that way. No `pattern`:
    the browser (and htmx, which checks validity first) would refuse to send the form with a
    generic message, where the server explains."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={
                "placeholder": DATE_HINT,
                "title": f"A date as {DATE_HINT}, for example 2027-02-22",
                "autocomplete": "off",
                "size": 10,
                **(attrs or {}),
            },
            format="%Y-%m-%d",
        )


class DateField(forms.DateField):
    widget = DateInput
    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {
        "invalid": f"Enter a date as {DATE_HINT}, for example 2027-02-22.",
    }


def iso_dates(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """A ModelForm's `formfield_callback`: each model date field becomes a `DateField`, so
    every date in the forms is typed one way (Meta.widgets may still add attributes)."""
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs = {"form_class": DateField, "widget": DateInput, **kwargs}
    return db_field.formfield(**kwargs)


# The scopes a SearchableSelect may search on the server, by name ("programmes"), registered
# by the app that owns them (`searchable`). A choice whose rows are such a scope's (narrowed
# through `scope_choices`) sends none of them with the page: the server offers the names
# that match what is typed, out of that scope for the viewer, so every name it offers is
# one the field accepts.
_SEARCHES: dict[str, Scope] = {}
_KINDS: dict[Scope, str] = {}
# How many names one search offers: enough to pick from, few enough to stay small.
SEARCH_LIMIT = 20


def searchable(kind: str, scope: Scope) -> None:
    """Let a `SearchableSelect` whose rows are `scope(user)` search them by name on the
    server, at the search page of `kind`."""
    _SEARCHES[kind] = scope
    _KINDS[scope] = kind


def search_names(kind: str, user: AnyUser, text: str) -> list[str]:
    """Up to SEARCH_LIMIT names of the rows `user` may see of the registered `kind` that
    contain `text`; LookupError for a kind nobody registered."""
    scope = _SEARCHES[kind]
    rows = scope(user).filter(name__icontains=text.strip()[:100]).order_by("name")
    return list(rows.values_list("name", flat=True).distinct()[:SEARCH_LIMIT])


class SearchableSelect(forms.Select):
    """A choice among many rows (every programme, project or person) drawn as a text input
    that searches them as one types, not a dropdown of hundreds of options to scroll. The
    form still receives the option's value, so its validation and label are unchanged: a
    name picked from the list becomes that row's value, a value given in a link
    (?programme=12) is taken as it is, and anything else reaches the field as typed and is
    refused as "not a valid choice".

    Rows narrowed to a scope registered with `searchable` are searched on the server (htmx
    fills the `<datalist>` with the names that match), so the page carries only the chosen
    one and its size does not grow with the organisation; other choices are listed in
    full."""

    def __init__(
        self, attrs: dict[str, Any] | None = None, choices: Any = (), search: str | None = None
    ) -> None:
        super().__init__(attrs, choices)
        self.search = search

    def _searched(self) -> tuple[str, models.QuerySet[Any]] | None:
        """(the registered kind, the field's rows), when the server does the searching."""
        queryset = getattr(self.choices, "queryset", None)
        if self.search is None or queryset is None:
            return None
        return self.search, queryset

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        if (searched := self._searched()) is not None:
            context = forms.Widget.get_context(self, name, value, attrs)
            context["widget"]["text"] = self._chosen_name(searched[1], context["widget"]["value"])
            return context
        context = super().get_context(name, value, attrs)
        context["widget"]["text"] = self._labels(value)[0]
        return context

    def _labels(self, value: Any) -> tuple[Any, list[Any]]:
        """The chosen option's label and every option's label, in one pass over the
        choices: Django's `optgroups` builds a dict of attributes per option, the most of
        drawing a form that offers hundreds of people."""
        chosen = {str(v) for v in self.format_value(value)}
        text: Any = ""  # labels may be lazy text, drawn as they are
        labels: list[Any] = []
        for option_value, label in self.choices:
            grouped = label if isinstance(label, (list, tuple)) else [(option_value, label)]
            for inner_value, inner_label in grouped:
                if inner_value is None or inner_value == "":
                    continue
                labels.append(inner_label)
                if not text and str(inner_value) in chosen:
                    text = inner_label
        return text, labels

    def _chosen_name(self, queryset: models.QuerySet[Any], value: Any) -> str:
        values = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
        chosen = [v for v in values if v.isdigit()]
        row = queryset.filter(pk=chosen[0]).first() if chosen else None
        return self.choices.field.label_from_instance(row) if row is not None else ""  # type: ignore[attr-defined]

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # Drawn here rather than by a template: the form renderer's loader sees only the
        # built-in widget templates.
        final_attrs = self.build_attrs(self.attrs, attrs)
        list_id = f"{final_attrs.get('id', name)}-options"
        searched = self._searched()
        if searched is not None:
            # The chosen name only; typing asks the server for the names that match.
            text: Any = self._chosen_name(searched[1], self.format_value(value))
            labels: list[Any] = [text] if text else []
            url = f"{reverse('choices-search', args=[searched[0]])}?field={name}"
            # hx-push-url: a filter form's own (inherited) would put the search's address in
            # the location bar, where the form, which has no action, then submits to.
            search = format_html(
                ' hx-get="{}" hx-trigger="input changed delay:200ms, focus once"'
                ' hx-target="#{}" hx-swap="innerHTML" hx-sync="this:replace"'
                ' hx-push-url="false"',
                url,
                list_id,
            )
        else:
            text, labels = self._labels(value)
            search = SafeString("")
        options = format_html_join(
            "", '<option value="{}"></option>', ((label,) for label in labels)
        )
        return format_html(
            '<input type="text" name="{}" list="{}" value="{}" autocomplete="off"'
            ' placeholder="Type to search"{}{}><datalist id="{}">{}</datalist>',
            name,
            list_id,
            text,
            flatatt(final_attrs),
            search,
            list_id,
            options,
        )

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        raw = data.get(name)
        if not raw:
            return raw
        if (searched := self._searched()) is not None:
            return self._value_of(searched[1], raw)
        for value, label in self.choices:
            if str(value) == raw or str(label) == raw:
                return str(value)
        return raw

    @staticmethod
    def _value_of(queryset: models.QuerySet[Any], raw: str) -> str:
        """A row's value from what was sent: its value (a link), else its name (picked from
        the list); what matches neither goes to the field as sent, to be refused."""
        if raw.isdigit() and queryset.filter(pk=raw).exists():
            return raw
        found = queryset.filter(name=raw).values_list("pk", flat=True).first()
        return str(found) if found is not None else raw
