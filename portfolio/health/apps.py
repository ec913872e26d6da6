from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "portfolio.health"
    label = "health"
    verbose_name = "Health"

    def ready(self) -> None:
        from portfolio.core.signals import health_inputs_changed
        from portfolio.health import receivers, tasks  # noqa: F401  (registers the tasks)

        health_inputs_changed.connect(
            receivers.request_recomputation, dispatch_uid="health.request_recomputation"
        )
