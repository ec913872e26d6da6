from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """The project package. Installed for its migrations only: they hold the history of the
    tables that moved to `portfolio.imports` and `portfolio.accounts`."""

    name = "portfolio"
    verbose_name = "Stationmaster"
