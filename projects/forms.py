"""Forms of the delivery layer. Each is built with `user=`: its dropdowns offer only what
that user may see (`scoped_fields`, from the access modules)."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.urls import reverse

from portfolio.core.forms import (
    DateField,
    DateInput,
    ScopedChoicesForm,
    SearchableSelect,
    iso_dates,
)
from portfolio.core.money import Phasing, parse_month
from programmes.access import people_choices, portfolio_choices, programme_choices
from programmes.models import Person
from projects.access import active_milestone_choices, active_project_choices
from projects.baselines import NewBaseline
from projects.models import (
    Allocation,
    Baseline,
    Dependency,
    Issue,
    Milestone,
    MoneyKind,
    Project,
    ProjectPhasing,
    Risk,
)


def _person(required: bool = False) -> forms.ModelChoiceField:
    # The choices come from scoped_fields (people_choices).
    return forms.ModelChoiceField(
        queryset=Person.objects.none(), required=required, widget=SearchableSelect
    )


class ProjectForm(ScopedChoicesForm, forms.ModelForm):
    scoped_fields = {
        "portfolio": portfolio_choices,
        "programme": programme_choices,
        "manager": people_choices,
        "sponsor": people_choices,
    }
    manager = _person()
    sponsor = _person()

    class Meta:
        model = Project
        fields = [
            "portfolio",
            "programme",
            "code",
            "name",
            "objective",
            "scope",
            "manager",
            "sponsor",
            "baseline_start",
            "baseline_finish",
            "forecast_finish",
            "budget",
            "spend_to_date",
            "forecast_at_completion",
            "priority",
            "stage",
        ]
        formfield_callback = iso_dates
        help_texts = {
            "baseline_start": "Leave blank when the start is not known.",
            "budget": "Leave blank when the budget is not known (it is then shown as unknown, "
            "not 0).",
        }
        widgets = {
            "objective": forms.Textarea(attrs={"rows": 2}),
            "scope": forms.Textarea(attrs={"rows": 2}),
        }


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["name", "baseline_date", "forecast_date", "actual_date"]
        formfield_callback = iso_dates


class DependencyForm(ScopedChoicesForm, forms.ModelForm):
    """Each side's milestone dropdown lists only the milestones of that side's project, by
    date; choosing another project fetches its list (htmx, `projects:dependency-milestones`).

    Validation still accepts any milestone the user may see, so a milestone of the other
    project is refused by the model with a message that says why, not "not a valid choice".
    """

    scoped_fields = {
        "upstream": active_project_choices,
        "downstream": active_project_choices,
        "upstream_milestone": active_milestone_choices,
        "downstream_milestone": active_milestone_choices,
    }
    SIDES = ("upstream", "downstream")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for side in self.SIDES:
            self.fields[side].widget.attrs.update(
                {
                    "hx-get": reverse("projects:dependency-milestones", args=[side]),
                    "hx-target": f"#div_id_{side}_milestone",
                    "hx-swap": "outerHTML",
                }
            )
            self.narrow_milestones(side)

    def narrow_milestones(self, side: str) -> None:
        """Offer on this side only the chosen project's milestones (none before a choice)."""
        field = self.fields[f"{side}_milestone"]
        assert isinstance(field, forms.ModelChoiceField) and field.queryset is not None
        project = str(self[side].value() or "")
        milestones = (
            field.queryset.filter(project_id=int(project)).order_by("baseline_date", "name")
            if project.isdigit()
            else field.queryset.none()
        )
        field.widget.choices = [
            ("", "---------"),
            *(
                (m.pk, f"{m.name} ({m.baseline_date.day} {m.baseline_date:%b %Y})")
                for m in milestones
            ),
        ]

    class Meta:
        model = Dependency
        fields = [
            "upstream",
            "upstream_milestone",
            "downstream",
            "downstream_milestone",
            "kind",
            "lag_days",
            "description",
        ]


class AllocationForm(ScopedChoicesForm, forms.ModelForm):
    scoped_fields = {"person": people_choices}
    person = _person(required=True)

    class Meta:
        model = Allocation
        fields = ["person", "start_date", "finish_date", "percent", "hours_per_week"]
        formfield_callback = iso_dates
        help_texts = {
            "percent": "Either a percentage of the person's week…",
            "hours_per_week": "…or hours a week, not both.",
        }


class RiskForm(ScopedChoicesForm, forms.ModelForm):
    scoped_fields = {"owner": people_choices}
    owner = _person()

    class Meta:
        model = Risk
        fields = [
            "title",
            "description",
            "probability",
            "impact",
            "proximity",
            "owner",
            "response",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "response": forms.Textarea(attrs={"rows": 2}),
        }


class IssueForm(ScopedChoicesForm, forms.ModelForm):
    scoped_fields = {"owner": people_choices}
    owner = _person()

    class Meta:
        model = Issue
        fields = ["title", "description", "severity", "owner", "due_date", "status", "resolution"]
        formfield_callback = iso_dates
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "resolution": forms.Textarea(attrs={"rows": 2}),
        }


class RiskRaiseForm(RiskForm):
    """Raising a risk from the weekly update: the few fields a manager knows at once; the
    rest (description, response) is filled in on the register, and a new risk is open."""

    class Meta(RiskForm.Meta):
        fields = ["title", "probability", "impact", "proximity", "owner"]


class IssueRaiseForm(IssueForm):
    """Raising an issue from the weekly update; a new issue is open."""

    class Meta(IssueForm.Meta):
        fields = ["title", "severity", "due_date", "owner"]


def offer_owners_once(*shown_together: RiskForm | IssueForm) -> None:
    """Forms on one page that offer the same people (the weekly update's two raise forms)
    draw their lists from one reading of them, not a query each. Validation still asks
    each field's own scoped queryset."""
    if not shown_together:
        return
    owner = shown_together[0].fields["owner"]
    assert isinstance(owner, forms.ModelChoiceField)
    # iter(): list() would first ask the iterator's length, a COUNT query of its own.
    people = list(iter(owner.iterator(owner)))
    for form in shown_together:
        form.fields["owner"].widget.choices = people


class ImpactForm(forms.Form):
    """ "What if this slips by N": a date of the project (its finish, start or a milestone)
    and how far. Read from the query string: asking moves nothing."""

    slips = forms.ChoiceField(label="What slips")
    by = forms.IntegerField(label="By", min_value=1, max_value=520, initial=4)
    unit = forms.ChoiceField(
        choices=[("weeks", "weeks"), ("working_days", "working days")], initial="weeks"
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        milestones = [
            (f"milestone:{m.pk}", f"Milestone “{m.name}”") for m in project.milestones.open()
        ]
        slips: forms.ChoiceField = self.fields["slips"]  # type: ignore[assignment]
        slips.choices = [
            ("finish", "The project's finish"),
            ("start", "The project's start"),
            *milestones,
        ]

    def working_days(self) -> int:
        weeks = self.cleaned_data["unit"] == "weeks"
        return int(self.cleaned_data["by"]) * (5 if weeks else 1)


class RebaselineForm(forms.Form):
    """A new baseline at an approval point (projects.baselines.NewBaseline)."""

    name = forms.CharField(
        max_length=200,
        help_text="The approval point, e.g. “Gate 2 approval”.",
        error_messages={"required": "Name the approval point, e.g. “Gate 2 approval”."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the plan changes; kept with the baseline.",
        error_messages={"required": "Say why the plan changes: a new baseline needs a reason."},
    )
    from_forecasts = forms.BooleanField(
        required=False,
        initial=True,
        label="Baseline the current forecasts",
        help_text="The finish and each open milestone take their forecast. Untick to give "
        "the start and finish below (milestones then keep their baselines).",
    )
    baseline_start = DateField(required=False, widget=DateInput, label="New baseline start")
    baseline_finish = DateField(required=False, widget=DateInput, label="New baseline finish")

    def new_baseline(self) -> NewBaseline:
        data = self.cleaned_data
        return NewBaseline(
            name=data["name"],
            reason=data["reason"],
            from_forecasts=data["from_forecasts"],
            baseline_start=None if data["from_forecasts"] else data["baseline_start"],
            baseline_finish=None if data["from_forecasts"] else data["baseline_finish"],
        )


class BaselineCompareForm(forms.Form):
    """Which earlier baseline to compare with the one approved now (read from the query)."""

    compare = forms.TypedChoiceField(label="Compare with baseline", coerce=int)

    def __init__(self, *args: Any, baselines: list[Baseline], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.TypedChoiceField = self.fields["compare"]  # type: ignore[assignment]
        field.choices = [(b.number, f"{b.number}. {b.name}") for b in baselines]


def months_text(phasing: Phasing) -> str:
    return "\n".join(f"{month:%Y-%m} {amount}" for month, amount in sorted(phasing.items()))


class PhasingForm(forms.Form):
    """How a project's budget or forecast is phased (projects.money.project_phasing_set):
    a shape, and for "entered" one month per line."""

    kind = forms.ChoiceField(choices=MoneyKind.choices, widget=forms.HiddenInput)
    shape = forms.ChoiceField(
        choices=ProjectPhasing.Shape.choices,
        widget=forms.RadioSelect,
        help_text="Even and S-curve spread the total over the project's dates; entered "
        "months are taken as they are.",
    )
    months = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "2027-01 12000\n2027-02 15000"}),
        label="Months entered",
        help_text="For “entered” only: one month per line, YYYY-MM then the amount. Other "
        "shapes keep these months for later but do not use them.",
    )

    def clean_months(self) -> dict[date, Decimal]:
        found: dict[date, Decimal] = {}
        for number, line in enumerate(self.cleaned_data["months"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.replace(",", "").split()
            if len(parts) != 2:
                raise forms.ValidationError(f"Line {number}: write a month and an amount.")
            try:
                month = parse_month(parts[0])
            except ValueError as refused:
                raise forms.ValidationError(f"Line {number}: {refused}") from refused
            try:
                amount = Decimal(parts[1].lstrip("£"))
            except InvalidOperation as refused:
                raise forms.ValidationError(
                    f"Line {number}: “{parts[1]}” is not an amount."
                ) from refused
            if not amount.is_finite() or amount < 0:
                raise forms.ValidationError(f"Line {number}: an amount cannot be negative.")
            if month in found:
                raise forms.ValidationError(f"Line {number}: {month:%b %Y} is entered twice.")
            found[month] = amount.quantize(Decimal("0.01"))
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("shape") == ProjectPhasing.Shape.ENTERED and data.get("months") == {}:
            self.add_error("months", "Enter at least one month, e.g. 2027-01 12000.")
        return data
