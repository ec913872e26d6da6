"""Reading a rendered PDF back with poppler-utils, as a person would: its text and pages."""

import re
import subprocess
import tempfile
from pathlib import Path


def _file(pdf: bytes) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)  # noqa: SIM115
    handle.write(pdf)
    handle.close()
    return Path(handle.name)


def text_of(pdf: bytes) -> str:
    path = _file(pdf)
    try:
        done = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        )
    finally:
        path.unlink()
    return done.stdout


def pages_of(pdf: bytes) -> list[str]:
    """Each page's text (pdftotext separates pages with a form feed)."""
    return text_of(pdf).split("\f")[:-1]


def page_count(pdf: bytes) -> int:
    path = _file(pdf)
    try:
        done = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    finally:
        path.unlink()
    found = re.search(r"^Pages:\s+(\d+)$", done.stdout, re.MULTILINE)
    assert found, done.stdout
    return int(found.group(1))
