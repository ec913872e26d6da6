from django.urls import path

from portfolio.health import views

app_name = "health"
urlpatterns = [
    path("portfolios/<int:pk>/policy-reach/", views.portfolio_policy_reach, name="policy-reach"),
]
