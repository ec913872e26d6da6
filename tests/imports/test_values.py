"""Cell values as files write them: dates by convention, money by locale, placeholders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio.imports.values import (
    DEFAULT_PLACEHOLDERS,
    Placeholders,
    ValueProblem,
    guess_date_convention,
    guess_money_locale,
    parse_date,
    parse_money,
    two_digit_rule,
)
from tests.imports.messy_files import DATE_FORMS, MONEY_FORMS, PLACEHOLDER_CELLS

# -- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "convention", "expected"), DATE_FORMS)
def test_each_date_form_is_read_in_its_convention(
    text: str, convention: str, expected: date
) -> None:
    assert parse_date(text, convention).value == expected


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("Q3 2024", "Q3 2024 is read as its last day, 30 Sep 2024"),
        ("2024 Q1", "Q1 2024 is read as its last day, 31 Mar 2024"),
        ("2024", "the year 2024 is read as 31 Dec 2024"),
        ("July 2022", "July 2022 is read as the month's last day, 31 Jul 2022"),
    ],
)
def test_a_date_that_says_less_than_a_day_is_read_as_its_last_day_and_says_so(
    text: str, note: str
) -> None:
    assert parse_date(text, "iso").note == note


def test_two_digit_years_meaning_19xx_and_20xx_share_a_column_by_the_pivot() -> None:
    years = [parse_date(text, "dmy").value.year for text in ("01.04.68", "01.04.69", "1.4.05")]
    assert years == [2068, 1969, 2005]
    assert parse_date("01.04.50", "dmy", pivot=40).value.year == 1950


def test_the_two_digit_year_rule_is_stated_in_words() -> None:
    assert two_digit_rule(69) == "Two-digit years: 00–68 are read as 2000–2068, 69–99 as 1969–1999."
    assert two_digit_rule(0) == "Two-digit years are read as 1900–1999."


@pytest.mark.parametrize(
    ("text", "convention", "fix"),
    [
        ("30/06/2008", "mdy", "is this column day first?"),
        ("06/30/2008", "dmy", "is this column month first?"),
        ("30/06/2008", "iso", "choose day first or month first"),
        ("31 July", "dmy", "has no year"),
        ("soon", "iso", "is not a date"),
    ],
)
def test_a_date_the_convention_cannot_read_is_refused_never_turned_round(
    text: str, convention: str, fix: str
) -> None:
    with pytest.raises(ValueProblem, match=fix):
        parse_date(text, convention)


@given(st.dates(min_value=date(1927, 5, 18), max_value=date(2199, 12, 31)))
def test_excel_serial_numbers_count_days_from_excels_epoch(day: date) -> None:
    """From serial 10000 (18 May 1927): four digits would be a year."""
    serial = (day - date(1899, 12, 30)).days
    assert parse_date(str(serial), "dmy").value == day


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_every_convention_reads_back_the_date_written_in_it(day: date) -> None:
    assert parse_date(f"{day:%d/%m/%Y}", "dmy").value == day
    assert parse_date(f"{day:%m/%d/%Y}", "mdy").value == day
    assert parse_date(day.isoformat(), "iso").value == day
    assert parse_date(f"{day:%B} {day.day}, {day.year}", "mdy").value == day


# -- money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "locale", "amount", "scaled"), MONEY_FORMS)
def test_each_money_form_is_read_in_its_locale(
    text: str, locale: str, amount: Decimal, scaled: bool
) -> None:
    read = parse_money(text, locale)
    assert (read.amount, read.scaled) == (amount, scaled)


@pytest.mark.parametrize(
    ("text", "locale"), [("12,5", "dot"), ("12.3", "comma"), ("1,2,3", "dot"), ("abc", "dot")]
)
def test_an_amount_that_does_not_fit_the_locale_is_refused(text: str, locale: str) -> None:
    with pytest.raises(ValueProblem, match="check the money format"):
        parse_money(text, locale)


def test_a_workbooks_number_cell_is_read_with_its_dot_whatever_the_locale() -> None:
    assert parse_money("1234.5", "comma", typed_number=True).amount == Decimal("1234.5")


def _grouped(amount: Decimal, thousands: str, mark: str) -> str:
    whole, _, cents = f"{abs(amount):,.2f}".partition(".")
    return whole.replace(",", thousands) + mark + cents


@given(
    amount=st.decimals(min_value=-(10**11), max_value=10**11, places=2, allow_nan=False),
    style=st.sampled_from(
        [
            ("dot", ",", ".", "£{}"),
            ("dot", ",", ".", "${} USD"),
            ("comma", ".", ",", "{} €"),
            ("comma", " ", ",", "{} EUR"),
            ("dot", "'", ".", "{}"),
        ]
    ),
    brackets=st.booleans(),
)
def test_money_written_with_signs_and_separators_reads_back_exactly(
    amount: Decimal, style: tuple[str, str, str, str], brackets: bool
) -> None:
    locale, thousands, mark, template = style
    body = template.format(_grouped(amount, thousands, mark))
    if amount < 0:
        body = f"({body})" if brackets else f"-{body}"
    assert parse_money(body, locale).amount == amount


# -- placeholders --------------------------------------------------------------------------


@pytest.mark.parametrize("cell", PLACEHOLDER_CELLS)
def test_the_default_placeholder_words_mean_unknown(cell: str) -> None:
    assert Placeholders.of(DEFAULT_PLACEHOLDERS).means_unknown(cell)


@pytest.mark.parametrize("cell", ["0", "Exemption granted", "Nothing", "TBD soon"])
def test_text_that_only_resembles_a_placeholder_is_a_value(cell: str) -> None:
    assert not Placeholders.of(DEFAULT_PLACEHOLDERS).means_unknown(cell)


def test_the_pmos_own_placeholder_words_replace_the_defaults() -> None:
    words = Placeholders.of(["Withheld", "Commercial*"])
    assert words.means_unknown("  WITHHELD ")
    assert words.means_unknown("Commercial in confidence")
    assert not words.means_unknown("TBD")


# -- guessing the conventions from a file's cells ------------------------------------------


@pytest.mark.parametrize(
    ("cells", "convention"),
    [
        (["01/02/2024", "30/06/2008"], "dmy"),
        (["01/02/2024", "06/30/2008"], "mdy"),
        (["01/02/2024", "2024-06-30", "Q3 2024"], None),
    ],
)
def test_the_date_convention_is_guessed_from_a_date_only_one_convention_can_read(
    cells: list[str], convention: str | None
) -> None:
    assert guess_date_convention(cells) == convention


@pytest.mark.parametrize(
    ("cells", "locale"),
    [
        (["", "1.234.567,89 €"], "comma"),
        (["£12,343.96"], "dot"),
        (["1,234", "0.179", "Exempt"], None),
    ],
)
def test_the_money_locale_is_guessed_from_an_amount_with_decimals(
    cells: list[str], locale: str | None
) -> None:
    assert guess_money_locale(cells) == locale
