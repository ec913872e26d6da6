from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "portfolio.health"
    label = "health"
    verbose_name = "Health"

    def ready(self) -> None:
        from portfolio.core.signals import health_inputs_changed
        from portfolio.health import inputs, scopes, tasks  # noqa: F401  (registers the tasks)

        inputs.connect()
        health_inputs_changed.connect(inputs.receive_rows, dispatch_uid="health.receive_rows")
        # Writes move the page cache's scopes (see portfolio.health.scopes).
        scopes.connect()
        health_inputs_changed.connect(scopes.receive_rows, dispatch_uid="pagescopes.receive_rows")
