import django_tables2 as tables
from django.utils.safestring import mark_safe

from projects.models import Issue, Project, Risk

MONEY_ATTRS = {"td": {"class": "money"}, "th": {"class": "text-end"}}
UNKNOWN_BUDGET = mark_safe('<span class="unknown" title="The budget is unknown">Unknown</span>')


class ProjectTable(tables.Table):
    code = tables.Column()
    name = tables.Column(linkify=True, verbose_name="Project")
    programme = tables.Column(linkify=True, default="Standalone")
    portfolio = tables.Column(accessor="portfolio__code", verbose_name="Portfolio")
    manager = tables.Column(default="—")
    stage = tables.Column()
    baseline_finish = tables.DateColumn(format="j M Y")
    forecast_finish = tables.DateColumn(format="j M Y", default="—")
    # An unknown budget reads "Unknown" (with a title on the page), never 0: empty_values=()
    # hands None to render_budget and value_budget instead of a blank default.
    budget = tables.Column(attrs=MONEY_ATTRS, empty_values=())

    class Meta:
        model = Project
        fields = (
            "code",
            "name",
            "programme",
            "portfolio",
            "manager",
            "stage",
            "baseline_finish",
            "forecast_finish",
            "budget",
        )
        order_by = ("name",)
        attrs = {"class": "table table-hover align-middle"}

    def render_budget(self, value) -> str:  # type: ignore[no-untyped-def]
        return UNKNOWN_BUDGET if value is None else f"{value:,.0f}"

    def value_budget(self, value):  # type: ignore[no-untyped-def]
        return "Unknown" if value is None else value


class RegisterTable(tables.Table):
    title = tables.Column(linkify=lambda record: record.get_absolute_url())
    raised_on_project = tables.Column(accessor="project", verbose_name="Project", default="—")
    programme = tables.Column(verbose_name="Programme", default="—")
    owner = tables.Column(default="—")
    escalated_at = tables.DateTimeColumn(format="j M Y", verbose_name="Escalated", default="")
    status = tables.Column()


class RiskTable(RegisterTable):
    score = tables.Column(
        accessor="score", order_by=("-probability", "-impact"), verbose_name="Score"
    )

    class Meta:
        model = Risk
        fields = (
            "title",
            "raised_on_project",
            "programme",
            "probability",
            "impact",
            "score",
            "proximity",
            "owner",
            "status",
            "escalated_at",
        )
        attrs = {"class": "table table-hover align-middle"}


class IssueTable(RegisterTable):
    class Meta:
        model = Issue
        fields = (
            "title",
            "raised_on_project",
            "programme",
            "severity",
            "due_date",
            "owner",
            "status",
            "escalated_at",
        )
        attrs = {"class": "table table-hover align-middle"}
