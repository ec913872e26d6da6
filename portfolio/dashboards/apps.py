from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "portfolio.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
