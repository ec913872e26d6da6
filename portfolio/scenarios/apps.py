from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "portfolio.scenarios"
    label = "scenarios"
    verbose_name = "Scenarios"
