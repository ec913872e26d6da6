from django import forms

from portfolio.core.forms import date_widgets
from programmes.models import Person, Portfolio, Programme
from projects.models import Allocation, Dependency, Issue, Milestone, Project, Risk


def _active_people(required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(queryset=Person.objects.active(), required=required)


class ProjectForm(forms.ModelForm):
    manager = _active_people()
    sponsor = _active_people()

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
        widgets = {
            **date_widgets("baseline_start", "baseline_finish", "forecast_finish"),
            "objective": forms.Textarea(attrs={"rows": 2}),
            "scope": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["portfolio"].queryset = Portfolio.objects.active()  # type: ignore[attr-defined]
        self.fields["programme"].queryset = (  # type: ignore[attr-defined]
            Programme.objects.active().select_related("portfolio")
        )


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["name", "baseline_date", "forecast_date", "actual_date"]
        widgets = date_widgets("baseline_date", "forecast_date", "actual_date")


class DependencyForm(forms.ModelForm):
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

    def __init__(self, *args: object, projects=None, **kwargs: object) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if projects is not None:
            self.fields["upstream"].queryset = projects  # type: ignore[attr-defined]
            self.fields["downstream"].queryset = projects  # type: ignore[attr-defined]
        for side in ("upstream_milestone", "downstream_milestone"):
            self.fields[side].queryset = Milestone.objects.select_related(  # type: ignore[attr-defined]
                "project"
            ).filter(project__in=self.fields["upstream"].queryset)  # type: ignore[attr-defined]


class AllocationForm(forms.ModelForm):
    person = _active_people(required=True)

    class Meta:
        model = Allocation
        fields = ["person", "start_date", "finish_date", "percent", "hours_per_week"]
        widgets = date_widgets("start_date", "finish_date")
        help_texts = {
            "percent": "Either a percentage of the person's week…",
            "hours_per_week": "…or hours a week, not both.",
        }


class RiskForm(forms.ModelForm):
    owner = _active_people()

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


class IssueForm(forms.ModelForm):
    owner = _active_people()

    class Meta:
        model = Issue
        fields = ["title", "description", "severity", "owner", "due_date", "status", "resolution"]
        widgets = {
            **date_widgets("due_date"),
            "description": forms.Textarea(attrs={"rows": 2}),
            "resolution": forms.Textarea(attrs={"rows": 2}),
        }
