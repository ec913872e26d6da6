"""One way to type a date in every form, the same in every browser locale: YYYY-MM-DD, with
"22 Feb 2027" (the way the app prints dates) understood too."""

import importlib
from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError

from portfolio.core.forms import DateField, DateInput
from projects.report_forms import MilestoneForecastForm
from tests.conftest import ROOT

FORM_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for package in ("portfolio", "programmes", "projects")
    for path in (ROOT / package).rglob("*forms.py")
)


def _form_classes() -> list[type[forms.BaseForm]]:
    """Every concrete form the apps define or import (bases without fields left out)."""
    found: dict[str, type[forms.BaseForm]] = {}
    for name in FORM_MODULES:
        for value in vars(importlib.import_module(name)).values():
            is_form = isinstance(value, type) and issubclass(value, forms.BaseForm)
            if is_form and hasattr(value, "base_fields"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


def test_the_forms_of_every_app_are_found() -> None:
    names = {form.__name__ for form in _form_classes()}
    assert {"ProjectForm", "StatusReportForm", "BenefitMeasurementForm"} <= names


@pytest.mark.parametrize("form_class", _form_classes(), ids=lambda form: form.__name__)
def test_every_date_field_of_every_form_is_typed_one_way(form_class: type[forms.BaseForm]) -> None:
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.DateField):
            assert isinstance(field, DateField), f"{form_class.__name__}.{name}"
            assert isinstance(field.widget, DateInput), f"{form_class.__name__}.{name}"


@pytest.mark.parametrize("typed", ["2027-02-22", "22 Feb 2027", "22 february 2027", " 2027-2-22 "])
def test_a_date_is_read_in_the_stated_format_or_as_the_app_prints_it(typed: str) -> None:
    assert DateField().clean(typed) == date(2027, 2, 22)


@pytest.mark.parametrize("typed", ["02/22/2027", "03/04/2027", "22.02.2027", "soon"])
def test_a_locale_dependent_or_unreadable_date_is_refused_with_the_format(typed: str) -> None:
    with pytest.raises(ValidationError, match="Enter a date as YYYY-MM-DD, for example"):
        DateField().clean(typed)


def test_a_date_field_renders_as_text_asking_for_iso_and_shows_its_value_that_way() -> None:
    html = str(MilestoneForecastForm(initial={"forecast_date": date(2027, 2, 22)})["forecast_date"])
    assert 'type="text"' in html and 'placeholder="YYYY-MM-DD"' in html
    assert 'value="2027-02-22"' in html and "form-control-sm" in html
