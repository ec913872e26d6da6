"""A choice among many rows is a text input that searches their names (a datalist), and
the form validates it as it validated the dropdown."""

from django import forms

from portfolio.core.forms import SearchableSelect
from programmes.models import Programme
from tests.conftest import Cast


class _Form(forms.Form):
    programme = forms.ModelChoiceField(
        queryset=Programme.objects.order_by("name"), required=False, widget=SearchableSelect
    )


def test_it_draws_a_labelled_text_input_with_the_names_to_search(cast: Cast) -> None:
    html = str(_Form(initial={"programme": cast.programme_a2.pk})["programme"])
    assert "<select" not in html
    assert 'id="id_programme"' in html and 'list="id_programme-options"' in html
    assert 'value="Programme A2"' in html  # the chosen row shows by its name
    assert '<option value="Programme A1"></option>' in html


def test_a_name_picked_from_the_list_is_that_rows_choice(cast: Cast) -> None:
    form = _Form({"programme": "Programme A1"})
    assert form.is_valid() and form.cleaned_data["programme"] == cast.programme_a1


def test_a_value_given_in_a_link_is_taken_as_it_is(cast: Cast) -> None:
    form = _Form({"programme": str(cast.programme_b1.pk)})
    assert form.is_valid() and form.cleaned_data["programme"] == cast.programme_b1


def test_a_name_that_is_not_offered_is_refused_as_before(cast: Cast) -> None:
    form = _Form({"programme": "No such programme"})
    assert not form.is_valid()
    assert "Select a valid choice" in form.errors["programme"][0]
