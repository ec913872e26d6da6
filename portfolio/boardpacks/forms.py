"""The board pack request: which portfolio or programme (those the user may have a pack
of, `access`), and the day it shows."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone

from portfolio.boardpacks.access import packable_portfolios, packable_programmes
from portfolio.core.forms import DateField
from programmes.models import Portfolio, Programme

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser


def subject_choices(user: AnyUser) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices: "portfolio-<id>" and "programme-<id>"."""
    portfolios = [(f"portfolio-{p.pk}", p.name) for p in packable_portfolios(user).order_by("name")]
    programmes = [
        (f"programme-{p.pk}", f"{p.code} {p.name} ({p.portfolio.name})")
        for p in packable_programmes(user).select_related("portfolio").order_by("name")
    ]
    groups = [("Portfolios", portfolios), ("Programmes", programmes)]
    return [(label, found) for label, found in groups if found]


def find_subject(user: AnyUser, value: str) -> Portfolio | Programme | None:
    """The portfolio or programme a choice names, if the user may have a pack of it."""
    kind, _, raw = value.partition("-")
    if not raw.isdigit():
        return None
    if kind == "portfolio":
        return packable_portfolios(user).filter(pk=int(raw)).first()
    if kind == "programme":
        return packable_programmes(user).select_related("portfolio").filter(pk=int(raw)).first()
    return None


class BoardPackForm(forms.Form):
    subject = forms.ChoiceField(label="Portfolio or programme")
    as_of = DateField(
        label="As of",
        help_text="The pack shows everything as it stood at the end of this day.",
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        subject = self.fields["subject"]
        assert isinstance(subject, forms.ChoiceField)
        subject.choices = subject_choices(user)
        self.fields["as_of"].initial = timezone.localdate()

    def clean_subject(self) -> Portfolio | Programme:
        subject = find_subject(self.user, self.cleaned_data["subject"])
        if subject is None:
            raise forms.ValidationError("Choose a portfolio or programme you may have a pack of.")
        return subject

    def clean_as_of(self) -> date:
        day: date = self.cleaned_data["as_of"]
        if day > timezone.localdate():
            raise forms.ValidationError(f"{day:%d %b %Y} is still to come: choose today or before.")
        return day
