"""Forms of the strategic layer. Each is built with `user=`: its dropdowns offer only what
that user may see (`scoped_fields`, from programmes/access.py)."""

from typing import Any

from django import forms

from portfolio.core.forms import ScopedChoicesForm, SearchableSelect, iso_dates
from programmes.access import executive_choices, people_choices, portfolio_choices, team_choices
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    HealthPolicy,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
)


def _person() -> forms.ModelChoiceField:
    # The choices come from scoped_fields (people_choices).
    return forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, widget=SearchableSelect
    )


class PortfolioForm(ScopedChoicesForm, forms.ModelForm):
    scoped_fields = {"executives": executive_choices}

    class Meta:
        model = Portfolio
        fields = ["code", "name", "description", "rating_scale", "executives"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["executives"].required = False


class ProgrammeForm(ScopedChoicesForm, forms.ModelForm):
    scoped_fields = {
        "portfolio": portfolio_choices,
        "manager": people_choices,
        "sponsor": people_choices,
    }
    manager = _person()
    sponsor = _person()

    class Meta:
        model = Programme
        fields = [
            "portfolio",
            "code",
            "name",
            "objective",
            "manager",
            "sponsor",
            "start_date",
            "finish_date",
            "budget",
            "stage",
        ]
        formfield_callback = iso_dates
        widgets = {
            "objective": forms.Textarea(attrs={"rows": 3}),
        }


class PersonForm(ScopedChoicesForm, forms.ModelForm):
    scoped_fields = {"team": team_choices}

    class Meta:
        model = Person
        fields = ["name", "email", "job_title", "team", "weekly_capacity_hours", "access"]


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class HealthPolicyForm(forms.ModelForm):
    class Meta:
        model = HealthPolicy
        fields = [
            "rollup",
            "red_share_percent",
            "schedule_amber_days",
            "schedule_red_days",
            "cost_amber_percent",
            "cost_red_percent",
            "risk_amber_score",
            "risk_red_score",
            "stale_after_days",
            "report_due_weekday",
            "report_grace_days",
            "overbooking",
        ]


class BenefitForm(ScopedChoicesForm, forms.ModelForm):
    scoped_fields = {"owner": people_choices}
    owner = _person()

    class Meta:
        model = Benefit
        fields = [
            "name",
            "description",
            "owner",
            "measure",
            "unit",
            "baseline",
            "target",
            "target_date",
        ]
        formfield_callback = iso_dates
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class BenefitMeasurementForm(forms.ModelForm):
    class Meta:
        model = BenefitMeasurement
        fields = ["measured_on", "value", "note"]
        formfield_callback = iso_dates


class StakeholderForm(forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = [
            "name",
            "organisation",
            "influence",
            "interest",
            "current_engagement",
            "desired_engagement",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's 1–5 validators do not reach the widget, which would offer 0 (the
        # positive integer field's floor) to a browser's spinner and to a person.
        for name in ("influence", "interest"):
            self.fields[name].widget.attrs.update(min=1, max=5)
