"""A choice among many rows is a text input that searches their names, and the form
validates it as it validated the dropdown. Rows of a registered model (programmes, people)
are searched on the server, so a page carries only the chosen name, whatever the size of
the organisation, and a search offers only what the viewer may see."""

from typing import Any

from django import forms
from django.urls import reverse

from portfolio.core.forms import SEARCH_LIMIT, ScopedChoicesForm, SearchableSelect
from programmes.access import programme_choices
from programmes.models import Programme
from tests.conftest import Cast
from tests.factories import ProgrammeFactory


class _Form(ScopedChoicesForm, forms.Form):
    """A choice among the programmes a user may see (a registered scope)."""

    scoped_fields = {"programme": programme_choices}
    programme = forms.ModelChoiceField(
        queryset=Programme.objects.none(), required=False, widget=SearchableSelect
    )


def _form(cast: Cast, *args: Any, user: Any = None, **kwargs: Any) -> _Form:
    return _Form(*args, user=user or cast.pmo.user, **kwargs)


class _Unscoped(forms.Form):
    """Rows narrowed some other way: every name is listed, as before."""

    programme = forms.ModelChoiceField(
        queryset=Programme.objects.order_by("name"), required=False, widget=SearchableSelect
    )


class _Plain(forms.Form):
    colour = forms.ChoiceField(
        choices=[("", "—"), ("r", "Red"), ("g", "Green")], required=False, widget=SearchableSelect
    )


def test_it_draws_a_labelled_text_input_that_asks_the_server_for_names(cast: Cast) -> None:
    html = str(_form(cast, initial={"programme": cast.programme_a2.pk})["programme"])
    assert "<select" not in html
    assert 'id="id_programme"' in html and 'list="id_programme-options"' in html
    assert 'value="Programme A2"' in html  # the chosen row shows by its name
    assert 'hx-get="/choices/programmes/?field=programme"' in html
    assert 'hx-target="#id_programme-options"' in html
    assert 'hx-push-url="false"' in html  # not a filter form's, inherited


def test_the_page_carries_only_the_chosen_name_not_every_row(cast: Cast) -> None:
    html = str(_form(cast, initial={"programme": cast.programme_a2.pk})["programme"])
    assert '<option value="Programme A2"></option>' in html
    assert "Programme A1" not in html and "Programme B1" not in html


def test_a_choice_with_nothing_chosen_carries_no_names(cast: Cast) -> None:
    html = str(_form(cast)["programme"])
    assert "<option" not in html and 'value=""' in html


def test_a_choice_narrowed_another_way_still_lists_every_name(cast: Cast) -> None:
    html = str(_Unscoped(initial={"programme": cast.programme_a2.pk})["programme"])
    assert '<option value="Programme A1"></option>' in html and "hx-get" not in html
    assert _Unscoped({"programme": "Programme B1"}).is_valid()


def test_a_choice_among_a_fixed_list_still_lists_every_name() -> None:
    html = str(_Plain(initial={"colour": "g"})["colour"])
    assert '<option value="Red"></option><option value="Green"></option>' in html
    assert 'value="Green"' in html and "hx-get" not in html


def test_a_name_picked_from_the_list_is_that_rows_choice(cast: Cast) -> None:
    form = _form(cast, {"programme": "Programme A1"})
    assert form.is_valid() and form.cleaned_data["programme"] == cast.programme_a1


def test_a_value_given_in_a_link_is_taken_as_it_is(cast: Cast) -> None:
    form = _form(cast, {"programme": str(cast.programme_b1.pk)})
    assert form.is_valid() and form.cleaned_data["programme"] == cast.programme_b1


def test_a_name_that_is_not_offered_is_refused_as_before(cast: Cast) -> None:
    form = _form(cast, {"programme": "No such programme"})
    assert not form.is_valid()
    assert "Select a valid choice" in form.errors["programme"][0]


def test_a_name_outside_what_the_user_may_see_is_refused(cast: Cast) -> None:
    executive = cast.executive.user
    assert not _form(cast, {"programme": "Programme B1"}, user=executive).is_valid()
    assert not _form(cast, {"programme": str(cast.programme_b1.pk)}, user=executive).is_valid()
    assert _form(cast, {"programme": "Programme A1"}, user=executive).is_valid()


def _search(cast: Cast, person: object, text: str, kind: str = "programmes") -> str:
    client = cast.client_for(person)  # type: ignore[arg-type]
    url = reverse("choices-search", args=[kind])
    response = client.get(url, {"field": "programme", "programme": text})
    assert response.status_code == 200
    return response.content.decode()


def test_a_search_offers_the_names_that_contain_what_was_typed(cast: Cast) -> None:
    html = _search(cast, cast.pmo, "me a")
    assert html == ('<option value="Programme A1"></option><option value="Programme A2"></option>')


def test_a_search_offers_only_what_the_viewer_may_see(cast: Cast) -> None:
    assert "Programme B1" in _search(cast, cast.pmo, "programme")
    assert "Programme B1" not in _search(cast, cast.executive, "programme")
    assert _search(cast, cast.outsider, "programme") == ""


def test_a_search_offers_a_bounded_number_of_names(cast: Cast) -> None:
    ProgrammeFactory.create_batch(SEARCH_LIMIT + 5, portfolio=cast.portfolio_a)
    assert _search(cast, cast.pmo, "").count("<option") == SEARCH_LIMIT


def test_a_search_of_people_is_registered_too(cast: Cast) -> None:
    assert "Olga Outsider" in _search(cast, cast.pmo, "olga", kind="people")


def test_a_search_of_an_unregistered_kind_is_not_found(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    assert client.get(reverse("choices-search", args=["risks"])).status_code == 404
