from django.urls import path

from portfolio.scenarios import views

app_name = "scenarios"
urlpatterns = [
    path("", views.scenario_list, name="list"),
    path("compare/", views.scenario_compare, name="compare"),
    path("<int:pk>/", views.scenario_detail, name="detail"),
    path(
        "<int:pk>/changes/<int:change>/delete/", views.scenario_change_delete, name="change-delete"
    ),
    path("<int:pk>/apply/", views.scenario_apply_page, name="apply"),
    path("<int:pk>/discard/", views.scenario_discard_view, name="discard"),
]
