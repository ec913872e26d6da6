"""Naming who made a write and why, in a row's django-simple-history record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

# simple-history's change reason column.
REASON_LENGTH = 100


def audit(row: Any, *, user: AnyUser | None, reason: str) -> None:
    """Set the history user and reason simple-history records with the row's next save or
    delete (its request middleware does not see the API's token users, hence the user)."""
    row._history_user = user if user is not None and user.is_authenticated else None
    row._change_reason = reason[:REASON_LENGTH]
