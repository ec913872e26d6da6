from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "portfolio.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from portfolio.core import pagecache

        # Every write moves the page cache's content version (see portfolio.core.pagecache).
        connection_created.connect(pagecache.install, dispatch_uid="pagecache.install")
