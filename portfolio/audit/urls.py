from django.urls import path

from portfolio.audit import views

urlpatterns = [
    path("history/<str:subject>/<int:pk>/", views.history, name="history"),
]
