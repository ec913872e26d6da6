from django.apps import AppConfig
from django.db.backends.signals import connection_created


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Stationmaster"

    def ready(self) -> None:
        from portfolio import pagecache

        # Every write moves the page cache's content version (see portfolio.pagecache).
        connection_created.connect(pagecache.install, dispatch_uid="pagecache.install")
