from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from projects import tasks  # noqa: F401  (registers the tasks by name)
        from projects.impact import connect_derived_forecasts

        connect_derived_forecasts()
