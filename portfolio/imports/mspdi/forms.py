"""The upload form of the Microsoft Project import page."""

from __future__ import annotations

from typing import Any

from django import forms

from portfolio.imports.mspdi.reading import MAX_BYTES, Plan, PlanProblem, read_plan


class PlanUploadForm(forms.Form):
    file = forms.FileField(
        label="Project XML file",
        help_text="In Microsoft Project: File → Save As → XML (*.xml).",
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,text/xml,application/xml"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan: Plan | None = None
        self.content = b""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB, the largest accepted."
            )
        content = upload.read()
        try:
            self.plan = read_plan(content)
        except PlanProblem as exc:
            raise forms.ValidationError(str(exc)) from None
        self.content = content
        return upload
