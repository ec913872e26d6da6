from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "portfolio.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from portfolio.notifications import events, tasks  # noqa: F401  (registers the tasks)

        events.connect()
