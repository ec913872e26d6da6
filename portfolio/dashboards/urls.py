from django.urls import path

from portfolio.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("dashboard/", views.portfolio_dashboard, name="portfolio"),
    path(
        "dashboard/portfolios/<int:pk>/programmes/",
        views.portfolio_programmes,
        name="portfolio-programmes",
    ),
    path("dashboard/portfolios/<int:pk>/money/", views.portfolio_money, name="portfolio-money"),
    path("programmes/portfolios/", views.portfolio_list, name="portfolio-list"),
    path("programmes/<int:pk>/dashboard/", views.programme_dashboard, name="programme"),
    path("capacity/", views.capacity, name="capacity"),
    path(
        "capacity/people/<int:pk>/suggestions/",
        views.capacity_suggestions,
        name="capacity-suggestions",
    ),
    path("capacity/suggestions/apply/", views.capacity_level, name="capacity-level"),
]
