import django_filters
from django import forms

from portfolio.core.filtering import SearchFilter, StateFilter
from programmes.models import Person, Portfolio, Programme
from projects.models import Issue, Project, Risk


# Choices are scoped to what the user may see, so a filter never leaks another portfolio's names.
def _portfolios(request):  # type: ignore[no-untyped-def]
    return Portfolio.objects.visible_to(request.user).active()


def _programmes(request):  # type: ignore[no-untyped-def]
    return Programme.objects.visible_to(request.user).active().select_related("portfolio")


def _people(request):  # type: ignore[no-untyped-def]
    return Person.objects.visible_to(request.user).active()


class ProjectFilter(django_filters.FilterSet):
    q = SearchFilter(
        ["name", "code", "objective"], widget=forms.TextInput(attrs={"type": "search"})
    )
    portfolio = django_filters.ModelChoiceFilter(queryset=_portfolios)
    programme = django_filters.ModelChoiceFilter(queryset=_programmes)
    manager = django_filters.ModelChoiceFilter(queryset=_people)
    stage = django_filters.ChoiceFilter(choices=Project.Stage.choices)
    state = StateFilter()

    class Meta:
        model = Project
        fields = ["q", "portfolio", "programme", "manager", "stage", "state"]


class RegisterFilter(django_filters.FilterSet):
    """Shared by the risk and issue registers."""

    q = SearchFilter(["title", "description"], widget=forms.TextInput(attrs={"type": "search"}))
    programme = django_filters.ModelChoiceFilter(queryset=_programmes, method="filter_programme")
    escalated = django_filters.BooleanFilter(
        field_name="escalated_at", lookup_expr="isnull", exclude=True, label="Escalated"
    )

    def filter_programme(self, qs, name, value):  # type: ignore[no-untyped-def]
        return qs.filter(programme=value) | qs.filter(project__programme=value)


class RiskFilter(RegisterFilter):
    status = django_filters.ChoiceFilter(choices=Risk.Status.choices)

    class Meta:
        model = Risk
        fields = ["q", "programme", "status", "escalated"]


class IssueFilter(RegisterFilter):
    status = django_filters.ChoiceFilter(choices=Issue.Status.choices)
    severity = django_filters.ChoiceFilter(choices=Issue.Severity.choices)

    class Meta:
        model = Issue
        fields = ["q", "programme", "status", "severity", "escalated"]
