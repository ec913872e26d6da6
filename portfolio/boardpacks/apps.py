from django.apps import AppConfig


class BoardPacksConfig(AppConfig):
    name = "portfolio.boardpacks"
    label = "boardpacks"
    verbose_name = "Board packs"

    def ready(self) -> None:
        from portfolio.boardpacks import tasks  # noqa: F401  (registers the task by name)
