import django_filters
from django import forms

from portfolio.core.filtering import SearchFilter, StateFilter
from programmes.models import Person, Portfolio, Programme, Team


# Choices are scoped to what the user may see, so a filter never leaks another portfolio's names.
def _portfolios(request):  # type: ignore[no-untyped-def]
    return Portfolio.objects.visible_to(request.user).active()


def _people(request):  # type: ignore[no-untyped-def]
    return Person.objects.visible_to(request.user).active()


def _teams(request):  # type: ignore[no-untyped-def]
    return Team.objects.active()


class ProgrammeFilter(django_filters.FilterSet):
    q = SearchFilter(
        ["name", "code", "objective"], widget=forms.TextInput(attrs={"type": "search"})
    )
    portfolio = django_filters.ModelChoiceFilter(queryset=_portfolios)
    manager = django_filters.ModelChoiceFilter(queryset=_people)
    stage = django_filters.ChoiceFilter(choices=Programme.Stage.choices)
    state = StateFilter()

    class Meta:
        model = Programme
        fields = ["q", "portfolio", "manager", "stage", "state"]


class PersonFilter(django_filters.FilterSet):
    q = SearchFilter(
        ["name", "email", "job_title"], widget=forms.TextInput(attrs={"type": "search"})
    )
    team = django_filters.ModelChoiceFilter(queryset=_teams)
    state = StateFilter()

    class Meta:
        model = Person
        fields = ["q", "team", "state"]
