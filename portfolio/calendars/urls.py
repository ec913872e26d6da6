from django.urls import path

from portfolio.calendars import views

app_name = "calendars"
urlpatterns = [
    path("account/calendar/", views.feed_settings, name="settings"),
    path("account/calendar/revoke/", views.feed_revoke, name="revoke"),
    path("calendar/<str:secret>.ics", views.feed, name="feed"),
]
