from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import Allocation, Dependency, Issue, Milestone, Project, Risk


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "portfolio", "programme", "manager", "stage", "budget"]
    list_filter = ["portfolio", "stage", "priority"]
    search_fields = ["code", "name"]
    list_select_related = ["portfolio", "programme", "manager"]
    autocomplete_fields = ["manager", "sponsor", "programme"]
    inlines = [MilestoneInline]


@admin.register(Risk)
class RiskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "project", "programme", "probability", "impact", "status"]
    list_filter = ["status"]


@admin.register(Issue)
class IssueAdmin(SimpleHistoryAdmin):
    list_display = ["title", "project", "programme", "severity", "due_date", "status"]
    list_filter = ["status", "severity"]


class ServiceOnlyAdmin(SimpleHistoryAdmin):
    """Read-only here: saving must go through the services (cycle and overlap checks under a
    lock), which the application's pages call."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(Dependency, ServiceOnlyAdmin)
admin.site.register(Allocation, ServiceOnlyAdmin)
