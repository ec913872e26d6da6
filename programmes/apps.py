from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes"

    def ready(self) -> None:
        from portfolio.core import pagecache
        from portfolio.core.forms import searchable
        from programmes import scopes
        from programmes.access import people_choices, programme_choices

        # Cached pages are keyed on what a viewer may see (portfolio.core.pagecache).
        pagecache.set_viewer(scopes.viewer)
        # A choice among programmes or people is searched on the server (SearchableSelect):
        # the page need not carry hundreds of names, and a search offers only what the
        # viewer may see.
        searchable("programmes", programme_choices)
        searchable("people", people_choices)
