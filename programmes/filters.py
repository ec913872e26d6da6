"""Filters of the strategic layer's lists; their dropdowns offer only what the user may see
(`scoped_fields`, from programmes/access.py), so a filter never leaks another portfolio's
names."""

import django_filters
from django import forms

from portfolio.core.filtering import ScopedFilterSet, SearchFilter, StateFilter
from portfolio.core.forms import SearchableSelect
from programmes.access import people_choices, portfolio_choices, team_choices
from programmes.models import Person, Programme


class ProgrammeFilter(ScopedFilterSet):
    scoped_fields = {"portfolio": portfolio_choices, "manager": people_choices}

    q = SearchFilter(
        ["name", "code", "objective"], widget=forms.TextInput(attrs={"type": "search"})
    )
    portfolio = django_filters.ModelChoiceFilter()
    manager = django_filters.ModelChoiceFilter(widget=SearchableSelect)
    stage = django_filters.ChoiceFilter(choices=Programme.Stage.choices)
    state = StateFilter()

    class Meta:
        model = Programme
        fields = ["q", "portfolio", "manager", "stage", "state"]


class PersonFilter(ScopedFilterSet):
    scoped_fields = {"team": team_choices}

    q = SearchFilter(
        ["name", "email", "job_title"], widget=forms.TextInput(attrs={"type": "search"})
    )
    team = django_filters.ModelChoiceFilter()
    state = StateFilter()

    class Meta:
        model = Person
        fields = ["q", "team", "state"]
