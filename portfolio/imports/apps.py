from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "portfolio.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from portfolio.imports import tasks  # noqa: F401  (registers the tasks by name)
