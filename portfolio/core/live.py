"""Dashboards that update themselves: an open page asks every few seconds whether the
health it shows is still current; the answer is an empty 204 (htmx swaps nothing) until a
recomputation has stored a newer record, then the fresh fragment."""

from datetime import datetime, time

from django.core.exceptions import BadRequest
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from portfolio.core.forms import typed_date

POLL_SECONDS = 2
AS_OF_FORMAT = "as_of must be a past date like 2026-10-01"


def version_of(record: Model | None) -> str:
    return str(record.pk) if record else ""


def unchanged(request: HttpRequest, version: str) -> bool:
    """True when the page polled with the version it shows and that is still current."""
    return request.GET.get("health_since") == version


def as_of(request: HttpRequest) -> datetime | None:
    """?as_of=2026-10-01 → the end of that day. A malformed or future date is refused with
    a 400 that says so (the friendly page, portfolio.core.errors): history has no future,
    and a silently ignored date would pass for one."""
    raw = request.GET.get("as_of")
    if not raw:
        return None
    day = typed_date(raw)
    if day is None:
        raise BadRequest(f"{AS_OF_FORMAT}: “{raw}” is not a date.")
    if day > timezone.localdate():
        raise BadRequest(f"{AS_OF_FORMAT}: {day.isoformat()} is still to come.")
    return timezone.make_aware(datetime.combine(day, time.max))
