from __future__ import annotations

from typing import Any

from django import forms

from portfolio.notifications.models import EMAILED_ELSEWHERE, Kind, NotificationPreference


class PreferencesForm(forms.Form):
    """Per kind: in the app, by email; and the daily digest. Report reminders are emailed
    by the reminder itself, so they offer no second email."""

    digest = forms.BooleanField(
        required=False,
        label="Daily digest",
        help_text="One email at the end of the day listing the notices you have not read.",
    )

    def __init__(
        self,
        *args: Any,
        preferences: dict[str, NotificationPreference],
        digest: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["digest"].initial = digest
        for kind in Kind:
            preference = preferences[kind]
            self.fields[f"{kind}_in_app"] = forms.BooleanField(
                required=False, label=f"{kind.label}: in the app", initial=preference.in_app
            )
            if kind not in EMAILED_ELSEWHERE:
                self.fields[f"{kind}_email"] = forms.BooleanField(
                    required=False, label=f"{kind.label}: by email", initial=preference.email
                )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField | None]]:
        """Per kind, its label and its two boxes, for the table."""
        return [
            (
                kind.label,
                self[f"{kind}_in_app"],
                self[f"{kind}_email"] if f"{kind}_email" in self.fields else None,
            )
            for kind in Kind
        ]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {
            kind.value: (data[f"{kind}_in_app"], data.get(f"{kind}_email", False)) for kind in Kind
        }
