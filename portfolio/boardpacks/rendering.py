"""A board pack's HTML and its PDF. The HTML is the template's (templates/boardpacks/pack.html)
with its stylesheet (static/css/boardpack.css) and inline SVG charts; WeasyPrint lays it out
with Debian's DejaVu fonts, so the PDF needs nothing from the network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML

from portfolio.boardpacks.reading import COLUMNS, ProgrammePage, Reader

STYLESHEET = "css/boardpack.css"


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def pack_html(reader: Reader, on_batch: Callable[[int], None] = lambda done: None) -> str:
    """The pack's HTML; `on_batch(n)` after the n-th batch of programme pages is read."""
    summary = reader.summary()
    pages: list[ProgrammePage] = []
    for n, batch in enumerate(reader.batches(), start=1):
        pages.extend(reader.pages(batch))
        on_batch(n)
    return render_to_string(
        "boardpacks/pack.html",
        {
            "reader": reader,
            "subject": reader.subject,
            "portfolio": reader.portfolio,
            "is_portfolio": reader.subject == reader.portfolio,
            "day": reader.day,
            "summary": summary,
            "pages": pages,
            "columns": COLUMNS,
            "printed_at": timezone.localtime(),
        },
    )


def render_pdf(html: str) -> Rendered:
    stylesheet = finders.find(STYLESHEET)
    assert isinstance(stylesheet, str), f"{STYLESHEET} is missing from static/"
    document = HTML(string=html).render(stylesheets=[CSS(filename=stylesheet)])
    return Rendered(pdf=document.write_pdf(), pages=len(document.pages))
