"""The scenario forms: a new scenario (name and scope), and a change (one form for every
kind; the fields a kind needs are checked by `ScenarioChange.clean`, beside the field)."""

from __future__ import annotations

from decimal import Decimal
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


# The kinds as the page offers them: a move by weeks and a move to a date are two choices,
# each showing only the fields it takes (the model keeps both as one kind, in days).
KINDS = [
    ("delay", "Delay a project by weeks"),
    ("move_to", "Move a project's finish to a date"),
    ("cancel", "Cancel a project"),
    ("booking", "Change a booking"),
    ("new_booking", "Add a booking"),
    ("remove_booking", "Remove a booking"),
    ("capacity", "Change a person's weekly hours"),
    ("placeholder", "Add placeholder people to a team"),
]
FIELDS_OF: dict[str, tuple[str, ...]] = {
    "delay": ("project", "weeks"),
    "move_to": ("project", "to_date"),
    "cancel": ("project",),
    "booking": ("allocation", "start_date", "finish_date", "percent", "hours_per_week"),
    "new_booking": ("project", "person", "start_date", "finish_date", "percent", "hours_per_week"),
    "remove_booking": ("allocation",),
    "capacity": ("person", "hours"),
    "placeholder": ("team", "count", "hours", "start_date"),
}
MODEL_KIND = {"delay": ScenarioChange.Kind.MOVE, "move_to": ScenarioChange.Kind.MOVE}


def chosen_kind(value: str | None) -> str:
    return value if value in FIELDS_OF else "delay"


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(choices=KINDS, widget=forms.HiddenInput)
    project = forms.ModelChoiceField(queryset=Project.objects.none())
    weeks = forms.IntegerField(min_value=1, max_value=520, help_text="Later by this many weeks.")
    to_date = DateField(label="New finish", help_text="A date after the finish it has now.")
    allocation = forms.ModelChoiceField(queryset=Allocation.objects.none(), label="Booking")
    person = forms.ModelChoiceField(queryset=Person.objects.none(), widget=SearchableSelect)
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    start_date = DateField(label="From")
    finish_date = DateField(label="To")
    percent = forms.IntegerField(
        required=False, min_value=1, max_value=100, help_text="Either a percentage of the week…"
    )
    hours_per_week = forms.DecimalField(
        required=False,
        min_value=Decimal("0.5"),
        max_value=168,
        decimal_places=1,
        label="Hours a week",
        help_text="…or hours a week, not both.",
    )
    hours = forms.DecimalField(min_value=0, max_value=168, decimal_places=1, label="Hours a week")
    count = forms.IntegerField(min_value=1, max_value=50, label="How many")

    def __init__(self, *args: Any, scenario: Scenario, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = self.chosen = kind
        for name in list(self.fields):
            if name != "kind" and name not in FIELDS_OF[kind]:
                del self.fields[name]
        if kind == "booking":  # a change keeps what is not given
            for name in ("start_date", "finish_date"):
                self.fields[name].required = False
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
        if "allocation" in self.fields:
            allocation = self.fields["allocation"]
            assert isinstance(allocation, forms.ModelChoiceField)
            allocation.label_from_instance = lambda booking: (  # type: ignore[method-assign,assignment]
                f"{booking.person} on {booking.project}, "
                f"{booking.start_date:%d %b %Y} to {booking.finish_date:%d %b %Y}"
            )

    def _set(self, name: str, queryset: Any) -> None:
        field = self.fields.get(name)
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = queryset

    def change_fields(self) -> dict[str, Any]:
        """What `scenario_change_add` takes: the model's kind and every field given."""
        fields = {k: v for k, v in self.cleaned_data.items() if v is not None}
        fields["kind"] = MODEL_KIND.get(self.chosen, self.chosen)
        if "hours_per_week" in fields:
            fields["hours"] = fields.pop("hours_per_week")
        return fields
