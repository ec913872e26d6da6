"""Refusing an action, the same way and in the same words in pages and in the API.

Each app names its actions in its `access.py` as predicates (`may_create_programme(user)`,
`may_book_people(user, project)`), built from the permission-scoped QuerySet methods of its
models, which stay the one place scoping is decided. A predicate is a `Rule`: called, it
answers yes or no; it also carries the words a refusal uses. Pages and viewsets ask the same
rule and refuse through `refuse_unless`, which raises Django's PermissionDenied: a page
answers 403 with the words (templates/403.html), the API 403 `{"detail": words}`
(`portfolio.core.api.exception_handler`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Generic, ParamSpec

from django.core.exceptions import PermissionDenied

P = ParamSpec("P")

# The refusal of a write to a row the user may read: the same for every kind of row, since
# the user may see the row, nothing more needs saying.
READ_ONLY = "Your role may read this but not change it."


def refuse_unless(allowed: bool, message: str) -> None:
    """Refuse (403, with `message`) what the user's role does not allow."""
    if not allowed:
        raise PermissionDenied(message)


class Rule(Generic[P]):
    """A named permission predicate and the words that refuse it (see the module docstring)."""

    def __init__(self, test: Callable[P, bool], refusal: str) -> None:
        self.test = test
        self.refusal = refusal
        functools.update_wrapper(self, test)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> bool:
        return self.test(*args, **kwargs)

    def require(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Refuse (403, in this rule's words) unless the rule allows it."""
        refuse_unless(self.test(*args, **kwargs), self.refusal)

    def __repr__(self) -> str:
        return f"<Rule {self.test.__name__}: {self.refusal!r}>"


def rule(refusal: str) -> Callable[[Callable[P, bool]], Rule[P]]:
    """Decorate a predicate into a Rule refused in these words."""

    def decorate(test: Callable[P, bool]) -> Rule[P]:
        return Rule(test, refusal)

    return decorate
