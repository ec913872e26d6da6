"""Filters of the delivery layer's lists; their dropdowns offer only what the user may see
(`scoped_fields`, from programmes/access.py), so a filter never leaks another portfolio's
names."""

import django_filters
from django import forms

from portfolio.core.filtering import ScopedFilterSet, SearchFilter, StateFilter
from portfolio.core.forms import SearchableSelect
from programmes.access import people_choices, portfolio_choices, programme_choices
from projects.models import Issue, Project, Risk


class ProjectFilter(ScopedFilterSet):
    scoped_fields = {
        "portfolio": portfolio_choices,
        "programme": programme_choices,
        "manager": people_choices,
    }

    q = SearchFilter(
        ["name", "code", "objective"], widget=forms.TextInput(attrs={"type": "search"})
    )
    portfolio = django_filters.ModelChoiceFilter()
    programme = django_filters.ModelChoiceFilter(widget=SearchableSelect)
    manager = django_filters.ModelChoiceFilter(widget=SearchableSelect)
    stage = django_filters.ChoiceFilter(choices=Project.Stage.choices)
    state = StateFilter()

    class Meta:
        model = Project
        fields = ["q", "portfolio", "programme", "manager", "stage", "state"]


class RegisterFilter(ScopedFilterSet):
    """Shared by the risk and issue registers."""

    scoped_fields = {"programme": programme_choices}

    q = SearchFilter(["title", "description"], widget=forms.TextInput(attrs={"type": "search"}))
    programme = django_filters.ModelChoiceFilter(method="filter_programme", widget=SearchableSelect)
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
