"""Form pieces every app uses."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as ISO 8601."""

    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)  # type: ignore[arg-type]


def date_widgets(*names: str) -> dict[str, forms.Widget]:
    return {name: DateInput() for name in names}
