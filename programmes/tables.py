import django_tables2 as tables

from programmes.models import Person, Programme

MONEY_ATTRS = {"td": {"class": "money"}, "th": {"class": "text-end"}}


class ProgrammeTable(tables.Table):
    code = tables.Column()
    name = tables.Column(linkify=True, verbose_name="Programme")
    portfolio = tables.Column(linkify=True)
    manager = tables.Column(default="—")
    stage = tables.Column()
    finish_date = tables.DateColumn(format="j M Y", default="—")
    budget = tables.Column(attrs=MONEY_ATTRS)

    class Meta:
        model = Programme
        fields = ("code", "name", "portfolio", "manager", "stage", "finish_date", "budget")
        order_by = ("name",)
        attrs = {"class": "table table-hover align-middle"}

    def render_budget(self, value) -> str:  # type: ignore[no-untyped-def]
        return f"{value:,.0f}"

    def value_budget(self, value):  # type: ignore[no-untyped-def]
        return value


class PersonTable(tables.Table):
    name = tables.Column(linkify=True)
    job_title = tables.Column(default="—")
    team = tables.Column(default="—")
    email = tables.Column(default="—")
    weekly_capacity_hours = tables.Column(verbose_name="Hours a week", attrs=MONEY_ATTRS)

    class Meta:
        model = Person
        fields = ("name", "job_title", "team", "email", "weekly_capacity_hours")
        order_by = ("name",)
        attrs = {"class": "table table-hover align-middle"}
