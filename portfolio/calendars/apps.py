from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "portfolio.calendars"
    label = "calendars"
    verbose_name = "Calendar feeds"
