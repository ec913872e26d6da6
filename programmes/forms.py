from django import forms

from portfolio.core.forms import date_widgets
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


def _active_people() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(queryset=Person.objects.active(), required=False)


class PortfolioForm(forms.ModelForm):
    class Meta:
        model = Portfolio
        fields = ["code", "name", "description", "rating_scale", "executives"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["executives"].queryset = Person.objects.active().filter(  # type: ignore[attr-defined]
            access=Person.Access.EXECUTIVE
        )
        self.fields["executives"].required = False


class ProgrammeForm(forms.ModelForm):
    manager = _active_people()
    sponsor = _active_people()

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
        widgets = {
            **date_widgets("start_date", "finish_date"),
            "objective": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["portfolio"].queryset = Portfolio.objects.active()  # type: ignore[attr-defined]


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "email", "job_title", "team", "weekly_capacity_hours", "access"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].queryset = Team.objects.active()  # type: ignore[attr-defined]


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
        ]


class BenefitForm(forms.ModelForm):
    owner = _active_people()

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
        widgets = {**date_widgets("target_date"), "description": forms.Textarea(attrs={"rows": 2})}


class BenefitMeasurementForm(forms.ModelForm):
    class Meta:
        model = BenefitMeasurement
        fields = ["measured_on", "value", "note"]
        widgets = date_widgets("measured_on")


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
