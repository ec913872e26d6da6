from django.urls import path

from portfolio.timeline import views

app_name = "timeline"
urlpatterns = [
    path("timeline/", views.timeline_index, name="index"),
    path("timeline/portfolios/<int:pk>/", views.portfolio_timeline, name="portfolio"),
]
