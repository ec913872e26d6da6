from django import forms

from portfolio.core.forms import DateInput, iso_dates
from portfolio.core.ratings import choices_for
from projects.models import RATED, Milestone, StatusReport
from projects.models.reporting import CARRIED_FORWARD


class StatusReportForm(forms.ModelForm):
    """The weekly update. Ratings offer the portfolio's scale (three- or five-point)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = StatusReport
        fields = list(CARRIED_FORWARD)
        formfield_callback = iso_dates
        widgets = {
            **{name: forms.RadioSelect for name in RATED},
            **{
                f"{name}_reason": forms.TextInput(
                    attrs={
                        "placeholder": "Why, in one line",
                        "class": "form-control form-control-sm",
                    }
                )
                for name in RATED
            },
            "accomplishments": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "decisions_needed": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: object, scale: str = "rag3", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in RATED:
            field = self.fields[name]
            field.choices = choices_for(scale)  # type: ignore[attr-defined]
            field.required = False

    def rating_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """Each rated dimension beside its one-line reason, overall last."""
        return [(self[name], self[f"{name}_reason"]) for name in RATED]

    def changes(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in CARRIED_FORWARD}


class MilestoneForecastForm(forms.ModelForm):
    """One milestone row of the weekly update: forecast and actual dates."""

    class Meta:
        model = Milestone
        fields = ["forecast_date", "actual_date"]
        formfield_callback = iso_dates
        widgets = {
            name: DateInput(attrs={"class": "form-control form-control-sm"})
            for name in ("forecast_date", "actual_date")
        }
