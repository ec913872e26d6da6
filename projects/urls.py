from django.urls import path, register_converter

from projects import (
    baseline_views,
    compliance_views,
    impact_views,
    money_views,
    report_views,
    views,
)


class RegisterKind:
    regex = "risk|issue"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RegisterKind, "register")

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("mine/", report_views.my_projects, name="mine"),
    path("reporting/", compliance_views.reporting_compliance, name="reporting"),
    path("reporting/<int:pk>/remind/", compliance_views.reporting_remind, name="reporting-remind"),
    path(
        "reporting/remind-overdue/",
        compliance_views.reporting_remind_overdue,
        name="reporting-remind-overdue",
    ),
    path("<int:pk>/update/", report_views.report_edit, name="report-edit"),
    path("<int:pk>/update/<register:kind>/", report_views.report_raise, name="report-raise"),
    path(
        "<int:pk>/update/<register:kind>/<int:item_pk>/escalate/",
        report_views.report_escalate,
        name="report-escalate",
    ),
    path("reports/<int:pk>/", report_views.report_detail, name="report-detail"),
    path(
        "milestones/<int:pk>/forecast/", report_views.milestone_forecast, name="milestone-forecast"
    ),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/impact/", impact_views.project_impact, name="impact"),
    path("<int:pk>/baselines/", baseline_views.project_baselines, name="baselines"),
    path("<int:pk>/baselines/new/", baseline_views.project_rebaseline_form, name="rebaseline"),
    path("<int:pk>/money/", money_views.project_money_page, name="money"),
    path("<int:pk>/money/edit/", money_views.project_money_edit, name="money-edit"),
    path("<int:pk>/archive/", views.project_archive, name="archive"),
    path("<int:pk>/milestones/new/", views.milestone_create, name="milestone-create"),
    path("<int:pk>/allocations/new/", views.allocation_create, name="allocation-create"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone-edit"),
    path("milestones/<int:pk>/delete/", views.milestone_delete, name="milestone-delete"),
    path("allocations/<int:pk>/edit/", views.allocation_edit, name="allocation-edit"),
    path("allocations/<int:pk>/delete/", views.allocation_delete, name="allocation-delete"),
    path("dependencies/new/", views.dependency_create, name="dependency-create"),
    path("dependencies/<int:pk>/edit/", views.dependency_edit, name="dependency-edit"),
    path(
        "dependencies/milestones/<str:side>/",
        views.dependency_milestones,
        name="dependency-milestones",
    ),
    path("dependencies/<int:pk>/delete/", views.dependency_delete, name="dependency-delete"),
    path("risks/", views.register_list, {"kind": "risk"}, name="risk-list"),
    path("issues/", views.register_list, {"kind": "issue"}, name="issue-list"),
    path("<register:kind>s/new/", views.register_create, name="register-create"),
    path("<register:kind>s/<int:pk>/", views.register_detail, name="register-detail"),
    path("<register:kind>s/<int:pk>/escalate/", views.register_escalate, name="register-escalate"),
]
