"""Template source rules that no page test would notice until a person sees the page."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
COMMENT = re.compile(r"\{#(.*?)#\}", re.S)


def test_no_template_comment_spans_lines() -> None:
    """Django's {# #} ends at the line's end: a longer one is printed on the page as text."""
    spanning = [
        f"{path.relative_to(TEMPLATES)}:{path.read_text()[: m.start()].count(chr(10)) + 1}"
        for path in TEMPLATES.rglob("*.html")
        for m in COMMENT.finditer(path.read_text())
        if "\n" in m.group(1)
    ]
    assert spanning == [], "use {% comment %} for these: " + ", ".join(spanning)
