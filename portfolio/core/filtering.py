"""Filters every list shares: free-text search and active / archived / all; and the filter
set whose dropdowns offer only what the user may see."""

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import django_filters
from django.db.models import Q, QuerySet

from portfolio.core.forms import Scope, scope_choices


class ScopedFilterSet(django_filters.FilterSet):
    """A filter set whose `scoped_fields` offer only the rows the requesting user may see
    (see portfolio.core.forms), so a filter never leaks another portfolio's names and an
    unseen row is refused like a missing one."""

    scoped_fields: ClassVar[Mapping[str, Scope]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_choices(self.filters, self.scoped_fields, getattr(self.request, "user", None))


class SearchFilter(django_filters.CharFilter):
    """Case-insensitive 'contains' across several fields, from one search box."""

    def __init__(self, fields: Sequence[str], **kwargs: object) -> None:
        self.search_fields = tuple(fields)
        kwargs.setdefault("label", "Search")
        super().__init__(**kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()[:200]
        if not value:
            return qs
        query = Q()
        for name in self.search_fields:
            query |= Q(**{f"{name}__icontains": value})
        return qs.filter(query)


class StateFilter(django_filters.ChoiceFilter):
    """Archived rows are hidden unless asked for."""

    CHOICES = (("active", "Active"), ("archived", "Archived"), ("all", "All"))

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", "Show")
        super().__init__(choices=self.CHOICES, empty_label=None, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if value == "all":
            return qs
        if value == "archived":
            return qs.filter(archived_at__isnull=False)
        return qs.filter(archived_at__isnull=True)
