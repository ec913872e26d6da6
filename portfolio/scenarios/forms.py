"""The scenario forms: a new scenario (name and scope), and a change (one form for every
kind; the fields a kind needs are checked by `ScenarioChange.clean`, beside the field)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from portfolio.core.forms import DateField, SearchableSelect
from portfolio.scenarios.access import buildable_portfolios, buildable_programmes
from portfolio.scenarios.models import Scenario, ScenarioChange
from programmes.models import Person, Portfolio, Programme, Team
from projects.models import Allocation, Project

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser


def scope_choices(user: AnyUser) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices: "portfolio-<id>" and "programme-<id>"."""
    portfolios = [
        (f"portfolio-{p.pk}", p.name) for p in buildable_portfolios(user).order_by("name")
    ]
    programmes = [
        (f"programme-{p.pk}", f"{p.code} {p.name}")
        for p in buildable_programmes(user).order_by("name")
    ]
    groups = [("Portfolios", portfolios), ("Programmes", programmes)]
    return [(label, found) for label, found in groups if found]


def find_scope(user: AnyUser, value: str) -> Portfolio | Programme | None:
    kind, _, raw = str(value).partition("-")
    if not raw.isdigit():
        return None
    if kind == "portfolio":
        return buildable_portfolios(user).filter(pk=int(raw)).first()
    if kind == "programme":
        return buildable_programmes(user).filter(pk=int(raw)).first()
    return None


class ScenarioForm(forms.Form):
    name = forms.CharField(max_length=200)
    scope = forms.ChoiceField(label="Portfolio or programme")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)
        scope.choices = scope_choices(user)

    def clean_scope(self) -> Portfolio | Programme:
        found = find_scope(self.user, self.cleaned_data["scope"])
        if found is None:
            raise forms.ValidationError("Choose a portfolio or programme you may plan.")
        return found


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(choices=ScenarioChange.Kind.choices, label="Change")
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False)
    weeks = forms.IntegerField(
        required=False, min_value=1, max_value=520, help_text="Delay by this many weeks…"
    )
    to_date = DateField(required=False, label="New finish", help_text="…or move to finish on.")
    allocation = forms.ModelChoiceField(
        queryset=Allocation.objects.none(), required=False, label="Booking"
    )
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, widget=SearchableSelect
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    start_date = DateField(required=False, label="From")
    finish_date = DateField(required=False, label="To")
    percent = forms.IntegerField(required=False, min_value=1, max_value=100)
    hours = forms.DecimalField(
        required=False, min_value=0, max_value=168, decimal_places=1, label="Hours a week"
    )
    count = forms.IntegerField(required=False, min_value=1, max_value=50, label="How many")

    def __init__(self, *args: Any, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        projects = scenario.projects().order_by("name")
        self._set("project", projects)
        self._set(
            "allocation",
            Allocation.objects.filter(project__in=projects)
            .select_related("person", "project")
            .order_by("project__name", "person__name", "start_date"),
        )
        self._set("person", Person.objects.active().order_by("name"))
        self._set("team", Team.objects.active().order_by("name"))
        allocation = self.fields["allocation"]
        assert isinstance(allocation, forms.ModelChoiceField)
        allocation.label_from_instance = lambda booking: (  # type: ignore[method-assign,assignment]
            f"{booking.person} on {booking.project}, {booking.start_date}–{booking.finish_date}"
        )

    def _set(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def change_fields(self) -> dict[str, Any]:
        """What `scenario_change_add` takes: the kind and every field given."""
        return {name: value for name, value in self.cleaned_data.items() if value is not None}
