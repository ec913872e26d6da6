from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes"

    def ready(self) -> None:
        from portfolio.core import pagecache
        from programmes import scopes

        # Cached pages are keyed on what a viewer may see (portfolio.core.pagecache).
        pagecache.set_viewer(scopes.viewer)
