"""Who may do what in the delivery layer: one predicate per action, asked by pages and API
alike (DESIGN.md "Who may do what").

Each predicate reads the QuerySet methods of projects.models and programmes.models
(`visible_to`, `editable_by`, `delivered_by`, `coordinated_by`, `managed_by`), which stay
the one place scoping is decided; a predicate names the action and carries the words that
refuse it (portfolio.core.access). Pages that change one row fetch it through the same
scoped QuerySet the predicate reads (404 outside the user's write scope).

Where the API refuses a create up front, a predicate without a parent says whether the role
may do the thing anywhere at all (`may_book_anyone`); its twin with a parent says whether it
may do it there (`may_book_people(user, project)`).

The second half names what a user may choose among: the scopes of the delivery layer's
dropdowns (portfolio.core.forms.scope_choices).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef

from portfolio.core.access import READ_ONLY, rule
from programmes.access import is_executive, is_pmo, may_edit_programme
from programmes.models import Programme
from projects.models import (
    Allocation,
    Dependency,
    Issue,
    Milestone,
    Project,
    Risk,
    StatusReport,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portfolio.core.roles import AnyUser


def _in(projects: QuerySet[Project], project: Project) -> bool:
    return projects.filter(pk=project.pk).exists()


# Projects ------------------------------------------------------------------------------------


@rule("Only PMO creates projects.")
def may_create_project(user: AnyUser) -> bool:
    return is_pmo(user)


@rule(READ_ONLY)
def may_edit_project(user: AnyUser, project: Project) -> bool:
    """Change or archive a project's own record (dates, budget, manager): PMO's."""
    return _in(Project.objects.editable_by(user), project)


@rule("Only the project's manager, its programme's manager (or PMO) re-baselines it.")
def may_rebaseline(user: AnyUser, project: Project) -> bool:
    """Approve a new baseline for the project (keeping the earlier ones)."""
    return _in(Project.objects.rebaselinable_by(user), project)


@rule("Only project and programme managers (and PMO) re-baseline projects.")
def may_rebaseline_any(user: AnyUser) -> bool:
    """Re-baseline at least one project (the API's up-front refusal)."""
    return Project.objects.rebaselinable_by(user).exists()


# The project manager's records: status reports, milestones, risks and issues -----------------


@rule("Only a project's manager (or PMO) writes status reports.")
def may_write_reports(user: AnyUser) -> bool:
    """Write the status reports of at least one project."""
    return Project.objects.delivered_by(user).exists()


@rule("Only the project's manager (or PMO) writes its status reports.")
def may_report_on(user: AnyUser, project: Project) -> bool:
    """Write this project's weekly status report (and, on its page, the other records of
    its manager: milestones, risks and issues, which share the rule)."""
    return _in(Project.objects.delivered_by(user), project)


@rule(READ_ONLY)
def may_edit_report(user: AnyUser, report: StatusReport) -> bool:
    """Change a draft, submit it, or correct a submitted report with a new revision."""
    return StatusReport.objects.editable_by(user).filter(pk=report.pk).exists()


@rule("Only a project's manager (or PMO) adds milestones.")
def may_add_milestones(user: AnyUser) -> bool:
    """Add milestones to at least one project."""
    return Project.objects.delivered_by(user).exists()


@rule("Only the project's manager (or PMO) adds its milestones.")
def may_add_milestone_to(user: AnyUser, project: Project) -> bool:
    return _in(Project.objects.delivered_by(user), project)


@rule(READ_ONLY)
def may_edit_milestone(user: AnyUser, milestone: Milestone) -> bool:
    """Change, forecast or delete a milestone."""
    return Milestone.objects.editable_by(user).filter(pk=milestone.pk).exists()


# Risks and issues ----------------------------------------------------------------------------


@rule("Only project and programme managers (and PMO) raise risks and issues.")
def may_raise_items(user: AnyUser) -> bool:
    """Raise risks or issues on at least one project or programme."""
    return (
        Project.objects.delivered_by(user).exists() or Programme.objects.managed_by(user).exists()
    )


@rule("Only the project's manager (or PMO) raises risks and issues on it.")
def may_raise_on_project(user: AnyUser, project: Project) -> bool:
    return _in(Project.objects.delivered_by(user), project)


@rule("Only the programme's manager (or PMO) raises items on it.")
def may_raise_on_programme(user: AnyUser, programme: Programme) -> bool:
    return may_edit_programme(user, programme)


@rule(READ_ONLY)
def may_edit_register_item(user: AnyUser, item: Risk | Issue) -> bool:
    """Change a risk or an issue: its project's manager, or its programme's for the
    programme's own and escalated items."""
    return type(item).objects.editable_by(user).filter(pk=item.pk).exists()


@rule("Only the project's manager (or PMO) escalates its risks and issues.")
def may_escalate(user: AnyUser, item: Risk | Issue) -> bool:
    """Escalate a project's risk or issue to the project's programme."""
    delivered = Project.objects.delivered_by(user)
    return item.project_id is not None and delivered.filter(pk=item.project_id).exists()


# Bookings and dependencies: the programme manager's coordination ----------------------------


@rule("Only programme managers (and PMO) book people.")
def may_book_anyone(user: AnyUser) -> bool:
    """Book people onto at least one project."""
    return Project.objects.coordinated_by(user).exists()


@rule("You may book people onto your own programme's projects only.")
def may_book_people(user: AnyUser, project: Project) -> bool:
    """Book people onto this project (and, on its page, link its dependencies, which share
    the rule)."""
    return _in(Project.objects.coordinated_by(user), project)


@rule(READ_ONLY)
def may_edit_allocation(user: AnyUser, allocation: Allocation) -> bool:
    return Allocation.objects.editable_by(user).filter(pk=allocation.pk).exists()


@rule("Only programme managers, project managers and PMO record dependencies.")
def may_link_projects(user: AnyUser) -> bool:
    """Record dependencies at all; which ones, `may_link` says."""
    return (
        is_pmo(user)
        or Programme.objects.managed_by(user).exists()
        or Project.objects.led_by(user).exists()
    )


@rule(
    "One end of the dependency must be in a programme you manage, "
    "or the project that needs it must be your own."
)
def may_link(user: AnyUser, upstream: Project, downstream: Project) -> bool:
    """Record that `downstream` needs `upstream`: one end must be a project the user
    coordinates, or the downstream one the user leads (a project manager records what
    their own plan waits for, as its predecessor links say). Refused as invalid input (on
    `downstream`) by the dependency services."""
    coordinated = Project.objects.coordinated_by(user)
    if coordinated.filter(pk__in=[upstream.pk, downstream.pk]).exists():
        return True
    return Project.objects.led_by(user).filter(pk=downstream.pk).exists()


@rule("You may add dependencies to your own projects and your programmes' projects only.")
def may_add_needs(user: AnyUser, project: Project) -> bool:
    """Add, on this project's page, something it needs from another project."""
    return may_book_people(user, project) or _in(Project.objects.led_by(user), project)


@dataclass(frozen=True)
class ProjectRights:
    """What a viewer may do on a project's page: the answers of `may_edit_project`,
    `may_report_on`, `may_book_people` and `may_add_needs`."""

    edit: bool = False
    deliver: bool = False
    coordinate: bool = False
    add_needs: bool = False


def project_rights(user: AnyUser, project: Project) -> ProjectRights:
    """The four rights a project's page asks, in one query rather than one (or two) each,
    from the QuerySets the predicates read; `tests/access` holds it to their answers."""

    def among(projects: QuerySet[Project]) -> Exists:
        return Exists(projects.filter(pk=OuterRef("pk")))

    found = (
        Project.objects.filter(pk=project.pk)
        .values_list(
            among(Project.objects.editable_by(user)),
            among(Project.objects.delivered_by(user)),
            among(Project.objects.coordinated_by(user)),
            among(Project.objects.led_by(user)),
        )
        .first()
    )
    if found is None:
        return ProjectRights()
    edit, deliver, coordinate, led = found
    return ProjectRights(edit, deliver, coordinate, add_needs=coordinate or led)


@rule(READ_ONLY)
def may_edit_dependency(user: AnyUser, dependency: Dependency) -> bool:
    return Dependency.objects.editable_by(user).filter(pk=dependency.pk).exists()


# Reporting compliance ------------------------------------------------------------------------


@rule("Only the PMO and executives see reporting compliance.")
def may_read_compliance(user: AnyUser) -> bool:
    """Read the Reporting page (executives for their portfolios, through `visible_to`)."""
    return is_pmo(user) or is_executive(user)


@rule("Only the PMO sends reminders.")
def may_send_reminders(user: AnyUser) -> bool:
    return is_pmo(user)


# What a user may choose among ----------------------------------------------------------------


def project_choices(user: AnyUser) -> QuerySet[Project]:
    return Project.objects.visible_to(user)


def active_project_choices(user: AnyUser) -> QuerySet[Project]:
    """The ends a dependency may link: active projects the user may see."""
    return Project.objects.visible_to(user).active().select_related("programme")


def milestone_choices(user: AnyUser) -> QuerySet[Milestone]:
    return Milestone.objects.filter(project__in=Project.objects.visible_to(user))


def active_milestone_choices(user: AnyUser) -> QuerySet[Milestone]:
    """The milestones a dependency may be pinned to on the page: those of its possible ends."""
    return Milestone.objects.select_related("project").filter(
        project__in=active_project_choices(user)
    )
