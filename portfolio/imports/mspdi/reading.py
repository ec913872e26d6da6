"""Read a Microsoft Project XML (MSPDI) file into plain data, refusing anything unsafe.

The XML is parsed with defusedxml, which refuses entity declarations (billion laughs),
external entities (XXE) and, as asked here, any DTD: a Project file has none. A binary .mpp
is recognised by its OLE2 signature and refused with the way to save XML instead, since
reading .mpp needs MPXJ and a Java runtime the product does not install.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

NAMESPACE = "http://schemas.microsoft.com/project"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0"
MAX_BYTES = 20 * 1024 * 1024
MAX_TASKS = 50_000
STAGE_SEPARATOR = " › "
DEFAULT_MINUTES_PER_DAY = 480

MPP_MESSAGE = (
    "This is a binary .mpp file; in Project use File → Save As → XML (*.xml) and upload that."
)
# The lag formats Project counts in elapsed (calendar) time rather than working time.
ELAPSED_LAG_FORMATS = frozenset({4, 6, 8, 10, 12, 36, 38, 40, 42, 44})
PERCENT_LAG_FORMATS = frozenset({19, 20, 51, 52})


class PlanProblem(Exception):
    """The file cannot be read as a Project plan; the message says why and what to do."""


@dataclass(frozen=True)
class Link:
    """A PredecessorLink: the task it sits on follows the predecessor."""

    predecessor_uid: int
    kind: int  # 0 finish-to-finish, 1 finish-to-start, 2 start-to-finish, 3 start-to-start
    lag: int  # tenths of a minute
    lag_format: int
    cross_project: str  # CrossProjectName when the link itself points at another file


@dataclass(frozen=True)
class Task:
    uid: int
    name: str
    outline_level: int
    is_summary: bool
    is_milestone: bool
    start: date | None
    finish: date | None
    actual_finish: date | None
    baseline_start: date | None
    baseline_finish: date | None
    external_project: str  # the other plan's file, for an external (cross-project) task
    stage: str  # the summary tasks above it, outermost first
    links: tuple[Link, ...]

    @property
    def is_external(self) -> bool:
        return bool(self.external_project)

    @property
    def planned(self) -> date | None:
        """The milestone's scheduled day: its start (a milestone's finish is the same day,
        or later when Project gave it a duration)."""
        return self.start or self.finish


@dataclass(frozen=True)
class Plan:
    name: str
    save_version: str
    minutes_per_day: int
    summary: Task | None  # the project summary task (UID 0, outline level 0)
    tasks: tuple[Task, ...]

    def task(self, uid: int) -> Task | None:
        return self._by_uid.get(uid)

    @cached_property
    def _by_uid(self) -> dict[int, Task]:
        return {task.uid: task for task in self.tasks}

    @property
    def milestones(self) -> list[Task]:
        return [t for t in self.tasks if t.is_milestone and not t.is_external]


def read_plan(content: bytes) -> Plan:
    """The plan in `content`, or PlanProblem saying why it is not one."""
    root = _parse(content)
    if root.tag != f"{{{NAMESPACE}}}Project":
        local = root.tag.rsplit("}", 1)[-1]
        raise PlanProblem(
            f"This XML is not a Microsoft Project file: its root element is <{local}>, not "
            f"<Project> in the namespace {NAMESPACE}. In Project use File → Save As → XML."
        )
    tasks, summary = _tasks(root)
    return Plan(
        name=_text(root, "Title") or _text(root, "Name"),
        save_version=_text(root, "SaveVersion"),
        minutes_per_day=_int(root, "MinutesPerDay") or DEFAULT_MINUTES_PER_DAY,
        summary=summary,
        tasks=tuple(tasks),
    )


def _parse(content: bytes) -> Element:
    if content.startswith(OLE2_SIGNATURE):
        raise PlanProblem(MPP_MESSAGE)
    if not content.strip():
        raise PlanProblem("The file is empty.")
    if len(content) > MAX_BYTES:
        raise PlanProblem(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        return SafeTree.fromstring(content, forbid_dtd=True)
    except DTDForbidden:
        raise PlanProblem(
            "The file declares a DTD, which a Project file never does; it was refused "
            "unread, as such files can expand entities or read other files."
        ) from None
    except EntitiesForbidden:
        raise PlanProblem(
            "The file declares XML entities, which a Project file never does; it was "
            "refused unread, as entities can expand without end or read other files."
        ) from None
    except DefusedXmlException:
        raise PlanProblem("The file refers to external resources; it was refused.") from None
    except ParseError as exc:
        raise PlanProblem(f"The file is not XML, or not well-formed XML ({exc}).") from None


def _tasks(root: Element) -> tuple[list[Task], Task | None]:
    """Every task in file order, each with its stage path; and the project summary task."""
    tasks: list[Task] = []
    summary: Task | None = None
    stages: list[tuple[int, str]] = []  # (outline level, name) of the open summary tasks
    for element in _children(root, "Tasks", "Task"):
        if _flag(element, "IsNull"):
            continue
        if len(tasks) >= MAX_TASKS:
            raise PlanProblem(f"The plan has more than {MAX_TASKS:,} tasks; split it.")
        task = _task(element, stages)
        if task.uid == 0 or task.outline_level == 0:
            summary = task
            continue
        tasks.append(task)
        if task.is_summary:
            stages.append((task.outline_level, task.name))
    return tasks, summary


def _task(element: Element, stages: list[tuple[int, str]]) -> Task:
    level = _int(element, "OutlineLevel") or 0
    while stages and stages[-1][0] >= level:
        stages.pop()
    baseline = _baseline(element)
    external = _flag(element, "ExternalTask")
    return Task(
        uid=_int(element, "UID") or 0,
        name=_text(element, "Name"),
        outline_level=level,
        is_summary=_flag(element, "Summary"),
        is_milestone=_flag(element, "Milestone"),
        start=_date(element, "Start"),
        finish=_date(element, "Finish"),
        actual_finish=_date(element, "ActualFinish"),
        baseline_start=_date(baseline, "Start") if baseline is not None else None,
        baseline_finish=_date(baseline, "Finish") if baseline is not None else None,
        external_project=(_text(element, "ExternalTaskProject") or "?") if external else "",
        stage=STAGE_SEPARATOR.join(name for _, name in stages),
        links=tuple(_link(link) for link in _children(element, None, "PredecessorLink")),
    )


def _baseline(element: Element) -> Element | None:
    """The task's baseline 0 (the one Project compares against), if it was set."""
    for baseline in _children(element, None, "Baseline"):
        if (_int(baseline, "Number") or 0) == 0:
            return baseline
    return None


def _link(element: Element) -> Link:
    return Link(
        predecessor_uid=_int(element, "PredecessorUID") or 0,
        kind=_int(element, "Type", default=1),
        lag=_int(element, "LinkLag") or 0,
        lag_format=_int(element, "LagFormat", default=7),
        cross_project=_text(element, "CrossProjectName") if _flag(element, "CrossProject") else "",
    )


def _children(element: Element, group: str | None, name: str) -> Iterator[Element]:
    parent = element.find(f"{{{NAMESPACE}}}{group}") if group else element
    if parent is not None:
        yield from parent.iterfind(f"{{{NAMESPACE}}}{name}")


def _text(element: Element, name: str) -> str:
    return (element.findtext(f"{{{NAMESPACE}}}{name}") or "").strip()


def _flag(element: Element, name: str) -> bool:
    return _text(element, name).lower() in {"1", "true"}


def _int(element: Element, name: str, default: int = 0) -> int:
    text = _text(element, name)
    if not text:
        return default
    try:
        return int(float(text))
    except ValueError:
        raise PlanProblem(f"<{name}> holds {text!r}, which is not a number.") from None


# Project writes 2027-03-01T08:00:00; later versions may add a fraction of a second or a zone.
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$")


def _date(element: Element, name: str) -> date | None:
    text = _text(element, name)
    if not text or text.startswith("NA"):
        return None
    match = _DATE_TIME.match(text)
    try:
        if match is None:
            raise ValueError
        return date.fromisoformat(match.group(1))
    except ValueError:
        raise PlanProblem(f"<{name}> holds {text!r}, which is not a date.") from None


def project_name_of(path: str) -> str:
    """The plan named by an external task's or link's file path, without folders or the
    .mpp/.xml extension ("<>\\Plans\\Signalling.mpp" → "Signalling"); a trailing task id
    ("…\\Signalling.mpp\\12", as CrossProjectName gives it) is dropped."""
    parts = [part for part in re.split(r"[\\/]", path) if part and part != "<>"]
    if len(parts) > 1 and parts[-1].isdigit():
        parts.pop()
    name = parts[-1] if parts else ""
    return re.sub(r"\.(mpp|xml|mpx)$", "", name, flags=re.IGNORECASE).strip()
