"""Microsoft Project XML (MSPDI) files as the versions of Project write them, made here.

Project 2007 (SaveVersion 12) writes `2027-03-01T08:00:00`; 2010 (14) the same with
extended attributes; 2013/2016 (15) empty elements for unset values; 2019 and Project Online
(16) a fraction of a second. `python -m tests.imports.mspdi_files` writes the files of
tests/imports/files/mspdi/, which the tests read; the 2,000-task plan is made by `huge_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

FILES = Path(__file__).parent / "files" / "mspdi"
NS = "http://schemas.microsoft.com/project"


@dataclass
class T:
    """A task as the file gives it."""

    uid: int
    name: str
    level: int
    summary: bool = False
    milestone: bool = False
    start: date | None = None
    finish: date | None = None
    baseline: tuple[date, date] | None = None
    actual: date | None = None
    external: str = ""
    links: list[str] = field(default_factory=list)


def link(uid: int, kind: int = 1, lag: int = 0, lag_format: int = 7, cross: str = "") -> str:
    cross_xml = f"<CrossProject>1</CrossProject><CrossProjectName>{cross}</CrossProjectName>"
    return (
        f"<PredecessorLink><PredecessorUID>{uid}</PredecessorUID><Type>{kind}</Type>"
        f"{cross_xml if cross else '<CrossProject>0</CrossProject>'}"
        f"<LinkLag>{lag}</LinkLag><LagFormat>{lag_format}</LagFormat></PredecessorLink>"
    )


def _stamp(day: date | None, hour: int, version: int) -> str:
    if day is None:
        return "" if version >= 15 else "NA"
    fraction = ".000" if version >= 16 else ""
    return f"{day.isoformat()}T{hour:02d}:00:00{fraction}"


def _element(name: str, value: str, version: int) -> str:
    if value == "NA":
        return ""  # Project 2007 leaves unset dates out
    if not value:
        return f"<{name}/>" if version >= 15 else ""
    return f"<{name}>{value}</{name}>"


def _task(task: T, version: int) -> str:
    flag = {True: "1", False: "0"}
    parts = [
        f"<UID>{task.uid}</UID><ID>{task.uid}</ID><Name>{escape(task.name)}</Name>",
        f"<OutlineLevel>{task.level}</OutlineLevel>",
        f"<Summary>{flag[task.summary]}</Summary><Milestone>{flag[task.milestone]}</Milestone>",
        _element("Start", _stamp(task.start, 8, version), version),
        _element("Finish", _stamp(task.finish or task.start, 17, version), version),
        _element("ActualFinish", _stamp(task.actual, 17, version), version),
    ]
    if task.external:
        parts.append(
            f"<ExternalTask>1</ExternalTask><ExternalTaskProject>{escape(task.external)}"
            "</ExternalTaskProject>"
        )
    if version >= 14:
        parts.append(
            "<ExtendedAttribute><FieldID>188743731</FieldID><Value>WBS-"
            f"{task.uid}</Value></ExtendedAttribute>"
        )
    if task.baseline:
        start, finish = task.baseline
        parts.append(
            f"<Baseline><Number>0</Number><Start>{_stamp(start, 8, version)}</Start>"
            f"<Finish>{_stamp(finish, 17, version)}</Finish></Baseline>"
        )
    parts.extend(task.links)
    return "<Task>" + "".join(parts) + "</Task>"


def plan_xml(tasks: list[T], *, version: int = 14, title: str = "Project A1") -> str:
    header = [
        f"<SaveVersion>{version}</SaveVersion>",
        f"<Name>{title}.xml</Name><Title>{title}</Title>",
        "<MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2400</MinutesPerWeek>",
    ]
    if version >= 14:
        header.append(
            "<ExtendedAttributes><ExtendedAttribute><FieldID>188743731</FieldID>"
            "<FieldName>Text1</FieldName><Alias>WBS code</Alias></ExtendedAttribute>"
            "</ExtendedAttributes>"
        )
    body = "".join(_task(task, version) for task in tasks)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Project xmlns="{NS}">{"".join(header)}<Tasks>{body}</Tasks></Project>\n'
    )


D = date


def standard_tasks(*, non_ascii: bool = False, baselines: bool = True) -> list[T]:
    """Project A1's plan: two stages, four milestones, a link to Project B1's "API
    delivered" (an external task), one to a plan no project matches, and one start-to-finish
    link the dependencies cannot express."""
    go_live = "Mise en service – Zürich" if non_ascii else "Go live"

    def base(start: date, finish: date) -> tuple[date, date] | None:
        return (start, finish) if baselines else None

    return [
        T(0, "Project A1", 0, summary=True, start=D(2027, 1, 4), finish=D(2027, 12, 17),
          baseline=base(D(2027, 1, 4), D(2027, 12, 10))),
        T(1, "Design", 1, summary=True, start=D(2027, 1, 4), finish=D(2027, 3, 8)),
        T(2, "Requirements", 2, start=D(2027, 1, 4), finish=D(2027, 2, 26)),
        T(3, "Design approved", 2, milestone=True, start=D(2027, 3, 8),
          baseline=base(D(2027, 3, 1), D(2027, 3, 1)), links=[link(2)]),
        T(4, "Build", 1, summary=True, start=D(2027, 3, 9), finish=D(2027, 11, 30)),
        T(5, "Integration", 2, summary=True, start=D(2027, 6, 1), finish=D(2027, 11, 30)),
        T(6, "Integration start", 3, milestone=True, start=D(2027, 6, 1),
          baseline=base(D(2027, 6, 1), D(2027, 6, 1)),
          links=[link(20, lag=9600), link(3)]),
        T(7, go_live, 1, milestone=True, start=D(2027, 11, 30),
          links=[link(21), link(20, kind=2)]),
        T(8, "Kick-off", 1, milestone=True, start=D(2027, 1, 4),
          baseline=base(D(2027, 1, 4), D(2027, 1, 4)), actual=D(2027, 1, 5)),
        T(20, "API delivered", 1, milestone=True, start=D(2027, 5, 20),
          external="\\\\fileserver\\Plans\\Project B1.mpp"),
        T(21, "Customs sign-off", 1, milestone=True, start=D(2027, 11, 1),
          external="C:\\Plans\\Nowhere.mpp"),
    ]  # fmt: skip


def huge_plan(count: int = 2000) -> str:
    """A plan of `count` tasks: a stage every 50, a milestone every 10, each task linked to
    the one before."""
    tasks = [T(0, "Big plan", 0, summary=True, start=D(2027, 1, 4), finish=D(2031, 12, 31))]
    for uid in range(1, count + 1):
        day = D(2027, 1, 4) + timedelta(days=uid)
        if uid % 50 == 1:
            tasks.append(T(uid, f"Stage {uid // 50 + 1}", 1, summary=True, start=day))
            continue
        tasks.append(
            T(uid, f"Task {uid}", 2, milestone=uid % 10 == 0, start=day, finish=day,
              baseline=(day, day), links=[link(uid - 1)] if uid % 50 != 2 else [])
        )  # fmt: skip
    return plan_xml(tasks, version=16, title="Big plan")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol4;</Name></Project>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&secret;</Name></Project>
"""

OTHER_TOOL = """<?xml version="1.0" encoding="UTF-8"?>
<project name="Exported from GanttProject" version="3.2">
  <tasks><task id="1" name="Go live" meeting="true" start="2027-11-30" duration="0"/></tasks>
</project>
"""


def all_files() -> dict[str, bytes]:
    return {
        "project-2007.xml": plan_xml(standard_tasks(), version=12).encode(),
        "project-2010.xml": plan_xml(standard_tasks(), version=14).encode(),
        "project-2016.xml": plan_xml(standard_tasks(baselines=False), version=15).encode(),
        "project-2019-online.xml": plan_xml(standard_tasks(non_ascii=True), version=16).encode(),
        "project-2016-utf16.xml": plan_xml(standard_tasks(), version=15)
        .replace('encoding="UTF-8"', 'encoding="UTF-16"')
        .encode("utf-16"),
        "billion-laughs.xml": BILLION_LAUGHS.encode(),
        "xxe.xml": XXE.encode(),
        "not-xml.xml": b"Task,Start\nGo live,2027-11-30\n",
        "ganttproject.xml": OTHER_TOOL.encode(),
        "plan.mpp": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
    }


if __name__ == "__main__":
    FILES.mkdir(parents=True, exist_ok=True)
    for name, content in all_files().items():
        (FILES / name).write_bytes(content)
