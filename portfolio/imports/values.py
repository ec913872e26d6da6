"""Cell values as real files write them: dates, money and the words that mean "unknown".

Model-free rules shared by `cleaning` and the mapping page (which states them). Each reader
takes the cell's text and the convention chosen in the mapping, and returns the value, with
a note when it read more into the cell than it says (a quarter is its last day), or raises
`ValueProblem` whose message names the value and the fix.

- Dates. A column is read by one convention: ISO (2024-06-30), day-first (30/06/2008,
  30.06.08) or month-first (06/30/2008). Whatever the convention, forms that cannot be
  misread are also taken: ISO dates, named months (July 31, 2022; 31 Jul 2022), quarters
  (Q3 2024 -> 30 Sep 2024), bare years (2024 -> 31 Dec 2024) and Excel serial numbers
  (45473 -> 2024-07-01). A numeric date that makes no sense in the chosen convention (day
  30 as a month) is an error, never silently read the other way round: one column must not
  mix two conventions. Two-digit years follow the pivot: below it 20xx, from it 19xx.
- Money. Currency signs and codes are dropped (£ $ € GBP ...), separators read by the
  chosen locale (1,234.56 or 1.234,56; spaces and apostrophes group in both), `(1,200)`
  and `-1,200` are negative, and a scale written on the amount (12.3m, 450k, 1.2bn) is
  applied instead of the column's unit.
- Placeholders. A cell whose whole text is one of the placeholder words (case and spaces
  aside) is unknown, exactly as an empty cell; a word ending in `*` matches any text that
  starts with it ("Exempt*" matches "Exempt under Section 43").
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from dateutil import parser as date_parser
from price_parser import Price

DEFAULT_PIVOT = 69  # 00-68 -> 2000-2068, 69-99 -> 1969-1999: the POSIX strptime rule
DEFAULT_PLACEHOLDERS: tuple[str, ...] = (
    "Exempt*",
    "not provided",
    "TBD",
    "TBC",
    "To be determined",
    "To be confirmed",
    "N/A",
    "-",
    "\u2013",
    "\u2014",
)
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, given its 1900 leap-year bug


class ValueProblem(ValueError):
    """A cell that cannot be read; the message names the value and the fix."""


@dataclass(frozen=True)
class DateConvention:
    key: str
    label: str
    example: str


DATE_CONVENTIONS: tuple[DateConvention, ...] = (
    DateConvention("iso", "ISO: year-month-day", "2008-06-30"),
    DateConvention("dmy", "Day first", "30/06/2008, 30.06.08"),
    DateConvention("mdy", "Month first", "06/30/2008"),
)
MONEY_LOCALES: dict[str, tuple[str, str]] = {
    # key: (label, decimal mark)
    "dot": ("1,234,567.89 (UK, US, Ireland)", "."),
    "comma": ("1.234.567,89 (most of Europe)", ","),
}


def two_digit_rule(pivot: int) -> str:
    """The two-digit-year rule in words, as the mapping page states it."""
    if pivot <= 0:
        return "Two-digit years are read as 1900–1999."
    if pivot >= 100:
        return "Two-digit years are read as 2000–2099."
    return (
        f"Two-digit years: 00–{pivot - 1:02d} are read as 2000–{2000 + pivot - 1}, "
        f"{pivot:02d}–99 as {1900 + pivot}–1999."
    )


def full_year(two_digits: int, pivot: int) -> int:
    return 2000 + two_digits if two_digits < pivot else 1900 + two_digits


# -- Placeholders --------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Placeholders:
    """The words that mean "unknown" in a file, matched whole, case and spaces aside."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, words: list[str] | tuple[str, ...]) -> Placeholders:
        cleaned = [_fold(word) for word in words if word.strip()]
        return cls(
            exact=frozenset(word for word in cleaned if not word.endswith("*")),
            prefixes=tuple(word[:-1].rstrip() for word in cleaned if word.endswith("*")),
        )

    def means_unknown(self, text: str) -> bool:
        folded = _fold(text)
        if not folded or folded in self.exact:
            return True
        # "Exempt*" matches "Exempt" and "Exempt under Section 43", not "Exemption".
        return any(
            prefix and (folded == prefix or folded.startswith(prefix + " "))
            for prefix in self.prefixes
        )


# -- Dates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadDate:
    value: date
    note: str = ""  # what was read into the cell, when it says less than a day


_SERIAL = re.compile(r"^\d{5,6}(\.\d+)?$")
_YEAR = re.compile(r"^\d{4}$")
_QUARTER = re.compile(r"^(?:q([1-4])[\s/-]*(\d{4}|\d{2})|(\d{4})[\s/-]*q([1-4]))$", re.IGNORECASE)
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][\d:.]+)?$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4}|\d{2})(?: [\d:.]+)?$")


class _PivotInfo(date_parser.parserinfo):
    """dateutil's parser, with two-digit years by our pivot rather than its 50-year window."""

    def __init__(self, pivot: int, *, dayfirst: bool) -> None:
        super().__init__(dayfirst=dayfirst)
        self.pivot = pivot

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        if year < 100 and not century_specified:
            return full_year(year, self.pivot)
        return year


def parse_date(text: str, convention: str, pivot: int = DEFAULT_PIVOT) -> ReadDate:
    """A date cell by the column's convention; raise ValueProblem saying how to fix it."""
    value = text.strip()
    if _SERIAL.match(value):
        return ReadDate(EXCEL_EPOCH + timedelta(days=int(float(value))))
    if _YEAR.match(value):
        return ReadDate(date(int(value), 12, 31), f"the year {value} is read as 31 Dec {value}")
    quarter = _QUARTER.match(value)
    if quarter:
        return _quarter_end(quarter, pivot)
    iso = _ISO.match(value)
    if iso:
        return ReadDate(_make(value, int(iso[1]), int(iso[2]), int(iso[3]), "iso"))
    numeric = _NUMERIC.match(value)
    if numeric:
        return ReadDate(_numeric(value, numeric, convention, pivot))
    if re.search(r"[a-z]", value, re.IGNORECASE):
        return _named(value, convention, pivot)
    raise ValueProblem(f"{_quoted(value)} is not a date; {_expected(convention)}")


def _quoted(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _expected(convention: str) -> str:
    examples = {c.key: c.example for c in DATE_CONVENTIONS}
    return f"write it as {examples.get(convention, examples['iso'])} or choose its convention."


_NOT_IN_CONVENTION = {
    "iso": "is not a real date (there is no such month or day).",
    "dmy": "is not a day-first date (DD/MM/YYYY): is this column month first? Choose its "
    "date convention.",
    "mdy": "is not a month-first date (MM/DD/YYYY): is this column day first? Choose its "
    "date convention.",
}


def _make(text: str, year: int, month: int, day: int, convention: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(f"{_quoted(text)} {_NOT_IN_CONVENTION[convention]}") from None


def _quarter_end(match: re.Match[str], pivot: int) -> ReadDate:
    number = int(match[1] or match[4])
    year_text = match[2] or match[3]
    year = full_year(int(year_text), pivot) if len(year_text) == 2 else int(year_text)
    month = number * 3
    end = date(year, month, monthrange(year, month)[1])
    return ReadDate(end, f"Q{number} {year} is read as its last day, {end:%d %b %Y}")


def _numeric(text: str, match: re.Match[str], convention: str, pivot: int) -> date:
    first, second, year_text = int(match[1]), int(match[2]), match[3]
    year = full_year(int(year_text), pivot) if len(year_text) == 2 else int(year_text)
    if convention == "mdy":
        return _make(text, year, first, second, convention)
    if convention == "dmy":
        return _make(text, year, second, first, convention)
    raise ValueProblem(
        f"{_quoted(text)} is not an ISO date (YYYY-MM-DD): choose day first or month first "
        "as this column's date convention."
    )


def _named(text: str, convention: str, pivot: int) -> ReadDate:
    """Named months through dateutil; parsed against two defaults to see what was missing."""
    info = _PivotInfo(pivot, dayfirst=convention != "mdy")
    try:
        one = date_parser.parse(text, parserinfo=info, default=datetime(2000, 1, 1))
        two = date_parser.parse(text, parserinfo=info, default=datetime(2001, 2, 28))
    except (date_parser.ParserError, OverflowError, ValueError):
        raise ValueProblem(f"{_quoted(text)} is not a date; {_expected(convention)}") from None
    if one.year != two.year:
        raise ValueProblem(f"{_quoted(text)} has no year; write the year too.")
    if one.month != two.month:
        raise ValueProblem(f"{_quoted(text)} has no month; {_expected(convention)}")
    if one.day != two.day:
        end = date(one.year, one.month, monthrange(one.year, one.month)[1])
        return ReadDate(end, f"{text} is read as the month's last day, {end:%d %b %Y}")
    return ReadDate(one.date())


def guess_date_convention(texts: Iterable[str]) -> str | None:
    """Day first when a numeric date's first part is above 12, month first when its second
    is; None when no cell tells (all of them could be either, or none is numeric)."""
    for text in texts:
        match = _NUMERIC.match(text.strip())
        if match is None:
            continue
        first, second = int(match[1]), int(match[2])
        if first > 12 >= second:
            return "dmy"
        if second > 12 >= first:
            return "mdy"
    return None


# -- Money ---------------------------------------------------------------------------------

SCALES: dict[str, Decimal] = {
    "k": Decimal(1_000),
    "thousand": Decimal(1_000),
    "m": Decimal(1_000_000),
    "mn": Decimal(1_000_000),
    "mil": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "millions": Decimal(1_000_000),
    "b": Decimal(1_000_000_000),
    "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
}
_CURRENCY_CODES = re.compile(r"\b(GBP|USD|EUR|CHF|CAD|AUD|NZD|JPY|SEK|NOK|DKK)\b", re.IGNORECASE)
_CURRENCY_SIGNS = re.compile(r"[£$€¥₹₩₽₺¢]|\b(?:US|A|C|NZ)\$")
_SCALE = re.compile(r"(?<=[\d\s])(" + "|".join(sorted(SCALES, key=len, reverse=True)) + r")$")
_DIGITS = re.compile(r"^\d[\d.,'\s]*$|^[.,]\d+$")
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$")


@dataclass(frozen=True)
class ReadMoney:
    amount: Decimal
    scaled: bool  # the cell gave its own scale (12.3m): the column's unit does not apply


def parse_money(text: str, locale: str = "dot", *, typed_number: bool = False) -> ReadMoney:
    """An amount as written, in currency units before the column's unit; or ValueProblem.

    1. A plain number (1234.5, 1e6, as the US file gives them) is read as is; so is a
       number cell of a workbook (`typed_number`), whose text has a dot whatever the locale.
    2. Else: drop currency signs and codes; note a sign or brackets (negative) and a scale
       suffix; what is left must be digits and separators, read by the locale's decimal
       mark through price-parser, with groups of three after the first.
    """
    value = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if _PLAIN.match(value) and (typed_number or locale == "dot" or "." not in value):
        return ReadMoney(Decimal(value), False)
    body = _CURRENCY_SIGNS.sub("", _CURRENCY_CODES.sub("", value)).strip()
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    body = _CURRENCY_SIGNS.sub("", _CURRENCY_CODES.sub("", body)).strip()
    if body[:1] in {"-", "\u2212", "+"}:
        negative, body = negative or body[0] != "+", body[1:].strip()
    elif body.endswith("-"):
        negative, body = True, body[:-1].strip()
    body = _CURRENCY_SIGNS.sub("", body).strip()
    scale = Decimal(1)
    suffix = _SCALE.search(body.casefold())
    if suffix:
        scale = SCALES[suffix[1]]
        body = body[: suffix.start()].strip()
    mark = MONEY_LOCALES.get(locale, MONEY_LOCALES["dot"])[1]
    if not _DIGITS.match(body) or not _well_grouped(body, mark):
        raise ValueProblem(_money_fix(value, locale))
    price = Price.fromstring(body, decimal_separator=mark)
    if price.amount is None:
        raise ValueProblem(_money_fix(value, locale))
    try:
        amount = Decimal(price.amount) * scale
    except InvalidOperation:
        raise ValueProblem(_money_fix(value, locale)) from None
    return ReadMoney(-amount if negative else amount, bool(suffix))


# One or two decimals after the mark: "1,234" (a thousands group) tells nothing.
_COMMA_DECIMALS = re.compile(r"\d,\d{1,2}(?!\d)")
_DOT_DECIMALS = re.compile(r"\d\.\d{1,2}(?!\d)")


def guess_money_locale(texts: Iterable[str]) -> str | None:
    """The locale whose decimal mark a cell shows (12,50 or 12.50); None when none does."""
    for text in texts:
        if _COMMA_DECIMALS.search(text):
            return "comma"
        if _DOT_DECIMALS.search(text):
            return "dot"
    return None


def _well_grouped(body: str, mark: str) -> bool:
    """Thousands groups of three after the first: "12,5" is not an amount in 1,234.56."""
    whole, _, decimals = body.rpartition(mark) if mark in body else (body, "", "")
    if mark in body and not decimals.isdigit():
        return False
    groups = re.split(r"[.,'\s]+", whole) if whole else []
    if not groups:
        return bool(decimals)
    return groups[0].isdigit() and all(len(group) == 3 for group in groups[1:])


def _money_fix(value: str, locale: str) -> str:
    label = MONEY_LOCALES.get(locale, MONEY_LOCALES["dot"])[0].split(" ")[0]
    return (
        f"{_quoted(value)} is not an amount in the format {label}; check the money "
        "format chosen for this file, or write the amount as digits."
    )
