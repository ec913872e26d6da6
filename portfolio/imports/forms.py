"""Forms of the import pages: the upload, and the column mapping."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from portfolio.imports.columns import ALSO, TARGETS, mapping_problems
from portfolio.imports.models import ImportJob, ImportMapping
from portfolio.imports.options import ReadingOptions, options_of
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

_LIMIT = f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB"


class UploadForm(forms.Form):
    mapping = forms.ModelChoiceField(
        queryset=ImportMapping.objects.all(),
        required=False,
        label="Saved column mapping",
        empty_label="None: guess from the column headers",
    )
    # Last in the form: an upload stopped for its size skips what follows it in the body.
    file = forms.FileField(
        required=False,
        label="CSV or Excel (.xlsx) file",
        help_text=f"Up to {_LIMIT}. One row holds the column headers; title rows above it "
        "are skipped.",
        error_messages={"empty": "The file is empty."},
    )

    def __init__(self, *args: Any, too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.parsed: ParsedFile | None = None
        self.content = b""
        self.options = ReadingOptions()

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if self.too_large or (upload is not None and upload.size > MAX_UPLOAD_BYTES):
            raise ValidationError(
                f"The file is larger than {_LIMIT}, the largest accepted; split it into "
                "smaller files."
            )
        if upload is None:
            raise ValidationError("Choose a CSV or Excel file to upload.")
        self.content = upload.read()
        mapping = self.cleaned_data.get("mapping")
        if mapping is not None:
            self.options = options_of(mapping)
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

    def columns(self) -> dict[str, str]:
        return {t.key: self.cleaned_data[t.key] for t in TARGETS if self.cleaned_data.get(t.key)}

    def options(self, current: ReadingOptions) -> ReadingOptions:
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
