from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portfolio.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from portfolio.accounts import (
            schema,  # noqa: F401  (registers the schema extension)
            signals,  # noqa: F401  (records authentication events)
        )
