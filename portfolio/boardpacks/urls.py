from django.urls import path

from portfolio.boardpacks import views

app_name = "boardpacks"
urlpatterns = [
    path("", views.board_packs, name="list"),
    path("<int:pk>/", views.board_pack_detail, name="detail"),
    path("<int:pk>/download/", views.board_pack_download, name="download"),
]
