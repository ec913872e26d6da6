from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from programmes.models import (
    Benefit,
    BenefitMeasurement,
    HealthPolicy,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
)


@admin.register(Portfolio)
class PortfolioAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "rating_scale", "archived_at"]
    search_fields = ["code", "name"]
    filter_horizontal = ["executives"]


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "portfolio", "manager", "stage", "budget"]
    list_filter = ["portfolio", "stage"]
    search_fields = ["code", "name"]
    list_select_related = ["portfolio", "manager"]
    autocomplete_fields = ["manager", "sponsor"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "email", "team", "access", "weekly_capacity_hours"]
    list_filter = ["access", "team"]
    search_fields = ["name", "email"]
    list_select_related = ["team"]


class MeasurementInline(admin.TabularInline):
    model = BenefitMeasurement
    extra = 0


@admin.register(Benefit)
class BenefitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "programme", "target", "target_date"]
    inlines = [MeasurementInline]


admin.site.register(Team, SimpleHistoryAdmin)
admin.site.register(HealthPolicy, SimpleHistoryAdmin)
admin.site.register(Stakeholder, SimpleHistoryAdmin)
admin.site.site_header = "Stationmaster administration"
