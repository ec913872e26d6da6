"""Forms of the import pages: the upload, and the column mapping."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any, cast

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import QueryDict

from portfolio.imports.columns import ALSO, TARGETS, mapping_problems
from portfolio.imports.details import RATING_TARGETS
from portfolio.imports.models import ImportJob, ImportMapping
from portfolio.imports.options import (
    OPTION_HELP,
    ImportOptions,
    ReadingOptions,
    reading_options_of,
)
from portfolio.imports.reading import (
    DELIMITERS,
    ENCODINGS,
    MAX_UPLOAD_BYTES,
    FileProblem,
    ParsedFile,
    parse_file,
)
from portfolio.imports.values import (
    DATE_CONVENTIONS,
    DEFAULT_PIVOT,
    MONEY_LOCALES,
    two_digit_rule,
)
from programmes.models import Portfolio

_LIMIT = f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB"


# A file the PMO chose is kept this long after a refused upload, for the next attempt.
KEPT_SECONDS = 3600


def _kept_key(owner: int | None, token: str) -> str:
    return f"import-upload:{owner}:{token}"


class UploadForm(forms.Form):
    mapping = forms.ModelChoiceField(
        queryset=ImportMapping.objects.all(),
        required=False,
        label="Saved column mapping",
        empty_label="None: guess from the column headers",
    )
    # A refused upload keeps its file (a browser cannot re-fill a file input): the next
    # attempt without a new file uses it.
    kept = forms.CharField(required=False, widget=forms.HiddenInput)
    # Last in the form: an upload stopped for its size skips what follows it in the body.
    file = forms.FileField(
        required=False,
        label="CSV or Excel (.xlsx) file",
        help_text=f"Up to {_LIMIT}. One row holds the column headers; title rows above it "
        "are skipped.",
        error_messages={"empty": "The file is empty."},
    )

    def __init__(
        self, *args: Any, too_large: bool = False, owner: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.owner = owner
        self.parsed: ParsedFile | None = None
        self.content = b""
        self.options = ReadingOptions()
        self.filename = ""
        self.kept_name = ""

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if self.too_large or (upload is not None and upload.size > MAX_UPLOAD_BYTES):
            raise ValidationError(
                f"The file is larger than {_LIMIT}, the largest accepted; split it into "
                "smaller files."
            )
        if upload is not None:
            self.filename, self.content = upload.name, upload.read()
        elif not self._use_kept():
            raise ValidationError("Choose a CSV or Excel file to upload.")
        mapping = self.cleaned_data.get("mapping")
        if mapping is not None:
            self.options = reading_options_of(mapping)
        try:
            self.parsed = self._parse()
        except FileProblem as exc:
            raise ValidationError(str(exc)) from None
        return upload

    def _parse(self) -> ParsedFile:
        """The file read with the saved mapping's overrides; a sheet it lacks is detected."""
        o = self.options
        try:
            return parse_file(
                self.content, encoding=o.encoding, delimiter=o.delimiter, sheet=o.sheet
            )
        except FileProblem:
            if not o.sheet:
                raise
        # This year's workbook may name its sheet differently from last year's.
        self.options = o.with_file_overrides(encoding=o.encoding, delimiter=o.delimiter, sheet="")
        return parse_file(self.content, encoding=o.encoding, delimiter=o.delimiter)

    def _use_kept(self) -> bool:
        token = self.data.get("kept", "")
        kept = cache.get(_kept_key(self.owner, token)) if token else None
        if kept is None:
            return False
        self.filename, self.content = kept
        return True

    def keep_file(self) -> None:
        """After a refusal: keep the file read, and say so on the form shown again."""
        if not self.content:
            return
        token = self.data.get("kept") or secrets.token_urlsafe(16)
        cache.set(_kept_key(self.owner, token), (self.filename, self.content), KEPT_SECONDS)
        data = cast(QueryDict, self.data).copy()  # a bound form's POST data
        data["kept"] = token
        self.data = data
        self.kept_name = self.filename


class MappingForm(forms.Form):
    """For each target field, which of the file's columns feeds it; and how values read."""

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", "(not in this file)"), *((header, header) for header in headers)]
        for target in TARGETS:
            self.fields[target.key] = forms.ChoiceField(
                label=target.label,
                choices=choices,
                required=target.required,
                help_text=target.help_text,
                error_messages={
                    "required": f"Choose the column that holds the {target.label.lower()}."
                },
            )
            self.fields[target.key + ALSO] = forms.MultipleChoiceField(
                # Not the target's label again: a label names one field.
                label="Also read from",
                choices=choices[1:],
                required=False,
                widget=forms.SelectMultiple(attrs={"size": min(len(headers), 4)}),
                help_text="In order; the first cell that is not empty or a placeholder wins.",
            )
        self._value_fields()
        self._add_return_fields()
        self.fields["save_as"] = forms.CharField(
            label="Save this mapping as",
            required=False,
            max_length=100,
            help_text="To reuse it, with the reading options, for the next file. A saved "
            "mapping of the same name is replaced.",
        )

    def _value_fields(self) -> None:
        pivot = self.initial.get("two_digit_pivot", DEFAULT_PIVOT)
        # Not required: a post that leaves them out (a script) gets the defaults.
        self.fields["date_convention"] = forms.ChoiceField(
            label="Dates in the file are written",
            required=False,
            choices=[(c.key, f"{c.label}: {c.example}") for c in DATE_CONVENTIONS],
            help_text="Whatever the choice, ISO dates, named months (31 July 2022, July 31, "
            "2022), quarters (Q3 2024 is read as its last day, 30 Sep 2024), years (2024 is "
            "read as 31 Dec 2024) and Excel serial numbers (45473) are read too.",
        )
        self.fields["two_digit_pivot"] = forms.IntegerField(
            label="Two-digit years: first year read as 19xx",
            required=False,
            min_value=0,
            max_value=100,
            help_text=two_digit_rule(pivot if isinstance(pivot, int) else DEFAULT_PIVOT),
        )
        self.fields["money_locale"] = forms.ChoiceField(
            label="Amounts in the file are written",
            required=False,
            choices=[(key, label) for key, (label, _) in MONEY_LOCALES.items()],
            help_text="Currency signs and codes (£, $, €, GBP) are ignored; (1,200) and "
            "-1,200 are negative.",
        )
        self.fields["cost_unit"] = forms.ChoiceField(
            label="Costs in the file are in",
            choices=ImportMapping.CostUnit.choices,
            help_text="The unit of plain amounts. An amount that gives its own scale "
            "(12.3m, 450k, 1.2bn) is read as written.",
        )
        self.fields["placeholders"] = forms.CharField(
            label="Words that mean unknown",
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text="One per line, matched whole, case aside; end a word with * to match "
            "what starts with it (Exempt* matches Exempt under Section 43). A cell holding "
            "one is read as unknown, never as 0; an empty cell always is.",
        )

    def _add_return_fields(self) -> None:
        """The reporting date of this file, and the options saved with the mapping."""
        self.fields["period"] = forms.DateField(
            label="Reporting date of this file",
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            help_text="For a periodic return: each row with a rating becomes a submitted "
            "status report for the week of this date. Leave empty when a column gives "
            "each row's date.",
        )
        self.fields["rating_scale"] = forms.ChoiceField(
            label="Rating scale of new portfolios",
            choices=Portfolio.RatingScale.choices,
            required=False,  # the three-point scale when not given
            help_text=OPTION_HELP["rating_scale"].split(":")[0] + ".",
        )
        self.fields["across_portfolios"] = forms.BooleanField(
            label="Match project codes across portfolios",
            required=False,
            help_text=OPTION_HELP["across_portfolios"],
        )
        self.fields["close_missing"] = forms.BooleanField(
            label="Close projects this file no longer lists",
            required=False,
            help_text=OPTION_HELP["close_missing"],
        )

    def import_options(self) -> ImportOptions:
        return ImportOptions(
            rating_scale=self.cleaned_data["rating_scale"] or Portfolio.RatingScale.THREE_POINT,
            across_portfolios=self.cleaned_data["across_portfolios"],
            close_missing=self.cleaned_data["close_missing"],
        )

    def columns(self) -> dict[str, str]:
        return {t.key: self.cleaned_data[t.key] for t in TARGETS if self.cleaned_data.get(t.key)}

    def reading_options(self, current: ReadingOptions) -> ReadingOptions:
        """The reading options chosen here, with the file overrides `current` holds."""
        data = self.cleaned_data
        extra = {
            t.key: [c for c in data.get(t.key + ALSO, []) if c != data.get(t.key)] for t in TARGETS
        }
        return replace(
            current,
            cost_unit=data["cost_unit"],
            date_convention=data.get("date_convention") or "iso",
            two_digit_pivot=_or(data.get("two_digit_pivot"), DEFAULT_PIVOT),
            money_locale=data.get("money_locale") or "dot",
            placeholders=tuple(
                line.strip() for line in data["placeholders"].splitlines() if line.strip()
            ),
            extra_columns={key: columns for key, columns in extra.items() if columns},
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key, message in mapping_problems(self.columns(), self.headers).items():
            if key not in self.errors:
                self.add_error(key if key in self.fields else None, message)
        rated = any(cleaned.get(key) for key in RATING_TARGETS)
        if rated and not cleaned.get("period") and not cleaned.get("reporting_date"):
            self.add_error(
                "period",
                "The file has rating columns: give its reporting date, or map the "
                "reporting date column.",
            )
        return cleaned


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


class ReadAsForm(forms.Form):
    """Overrides of what reading detected: a CSV's encoding and delimiter, a workbook's sheet."""

    def __init__(self, *args: Any, parsed: ParsedFile | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parsed is not None and parsed.file_format == ImportJob.Format.XLSX:
            self.fields["sheet"] = forms.ChoiceField(
                label="Worksheet",
                required=False,
                choices=[("", "The first sheet with a table"), *((n, n) for n in parsed.sheets)],
            )
            return
        self.fields["encoding"] = forms.ChoiceField(
            label="Encoding",
            required=False,
            choices=[("", "Detect"), *ENCODINGS.items()],
        )
        self.fields["delimiter"] = forms.ChoiceField(
            label="Columns separated by",
            required=False,
            # A tab is sent as "\\t": a literal tab in an option value is easily lost.
            choices=[("", "Detect"), *((v.replace("\t", "\\t"), n) for v, n in DELIMITERS.items())],
        )

    def overrides(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "encoding": data.get("encoding", ""),
            "delimiter": data.get("delimiter", "").replace("\\t", "\t"),
            "sheet": data.get("sheet", ""),
        }
