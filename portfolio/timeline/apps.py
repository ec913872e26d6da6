from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "portfolio.timeline"
    label = "timeline"
    verbose_name = "Timeline"
