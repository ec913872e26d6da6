from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "portfolio.demo"
    label = "demo"
    verbose_name = "Demo"
