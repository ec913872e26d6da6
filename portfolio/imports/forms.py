"""Forms of the import pages: the upload, and the column mapping."""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import QueryDict

from portfolio.imports.columns import TARGETS, mapping_problems
from portfolio.imports.details import RATING_TARGETS
from portfolio.imports.models import ImportMapping
from portfolio.imports.options import OPTION_HELP, ImportOptions
from portfolio.imports.reading import MAX_UPLOAD_BYTES, FileProblem, ParsedFile, parse_file
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
        help_text=f"Up to {_LIMIT}. The first row holds the column headers.",
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
        try:
            self.parsed = parse_file(self.content)
        except FileProblem as exc:
            raise ValidationError(str(exc)) from None
        return upload

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
        self._add_return_fields()

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

    def options(self) -> ImportOptions:
        return ImportOptions(
            rating_scale=self.cleaned_data["rating_scale"] or Portfolio.RatingScale.THREE_POINT,
            across_portfolios=self.cleaned_data["across_portfolios"],
            close_missing=self.cleaned_data["close_missing"],
        )

    def columns(self) -> dict[str, str]:
        return {t.key: self.cleaned_data[t.key] for t in TARGETS if self.cleaned_data.get(t.key)}

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
