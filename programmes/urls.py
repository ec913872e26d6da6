from django.urls import path

from programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("mine/", views.my_programmes, name="mine"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("portfolios/", views.portfolio_list, name="portfolio-list"),
    path("portfolios/<int:pk>/", views.portfolio_detail, name="portfolio-detail"),
    path("people/", views.person_list, name="person-list"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
]
