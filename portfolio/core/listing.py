"""One way to show a list: filter and search (django-filter), sort and paginate
(django-tables2), download as CSV or XLSX, and swap only the results when htmx asks."""

from __future__ import annotations

from dataclasses import dataclass, field

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tables2 import RequestConfig, Table

from portfolio.core.exports import FORMATS, export_rows
from portfolio.core.http import HtmxHttpRequest

PER_PAGE = 25
MAX_PER_PAGE = 100


@dataclass
class Listing:
    """What a list page shows; views build one and call `respond`."""

    title: str
    queryset: QuerySet
    filterset_class: type[django_filters.FilterSet]
    table_class: type[Table]
    create_url: str | None = None
    create_label: str = "New"
    template: str = "components/listing.html"
    extra_context: dict[str, object] = field(default_factory=dict)

    def respond(self, request: HtmxHttpRequest) -> HttpResponse:
        filterset = self.filterset_class(request.GET, queryset=self.queryset, request=request)
        # An invalid filter (say ?stage=bogus) shows its error and no rows, never a 500.
        rows = filterset.qs if filterset.is_valid() else self.queryset.none()
        table = self.table_class(rows, request=request)
        export_format = request.GET.get("export")
        if export_format in FORMATS:
            RequestConfig(request, paginate=False).configure(table)
            return export_rows(
                table.as_values(exclude_columns=("actions",)),
                export_format,
                _slug(self.title),
            )
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
        if table.paginator.per_page > MAX_PER_PAGE or table.paginator.per_page < 1:
            table.paginate(page=1, per_page=PER_PAGE)
        context = {
            "title": self.title,
            "filter": filterset,
            "table": table,
            "create_url": self.create_url,
            "create_label": self.create_label,
            "query": _query_without(request, "export", "page"),
            **self.extra_context,
        }
        template = self.template
        if request.htmx and not request.htmx.boosted:
            template += "#results"
        return render(request, template, context)


def _slug(title: str) -> str:
    return "-".join(title.lower().split())


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
