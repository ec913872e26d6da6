"""Forms of the import pages: the upload, and the column mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from portfolio.imports.columns import TARGETS, mapping_problems
from portfolio.imports.models import ImportMapping
from portfolio.imports.options import ReadingOptions, options_of
from portfolio.imports.reading import MAX_UPLOAD_BYTES, FileProblem, ParsedFile, parse_file

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
        help_text=f"Up to {_LIMIT}. The first row holds the column headers.",
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
    """For each target field, which of the file's columns feeds it."""

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
        self.fields["cost_unit"] = forms.ChoiceField(
            label="Costs in the file are in",
            choices=ImportMapping.CostUnit.choices,
            help_text="The US IT Dashboard's costs are in millions of dollars.",
        )
        self.fields["save_as"] = forms.CharField(
            label="Save this mapping as",
            required=False,
            max_length=100,
            help_text="To reuse it for the next file. A saved mapping of the same name is "
            "replaced.",
        )

    def columns(self) -> dict[str, str]:
        return {t.key: self.cleaned_data[t.key] for t in TARGETS if self.cleaned_data.get(t.key)}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key, message in mapping_problems(self.columns(), self.headers).items():
            if key not in self.errors:
                self.add_error(key if key in self.fields else None, message)
        return cleaned
