from django.urls import path

from programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("mine/", views.my_programmes, name="mine"),
    path("new/", views.programme_create, name="create"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/edit/", views.programme_edit, name="edit"),
    path("<int:pk>/archive/", views.programme_archive, name="archive"),
    path("<int:pk>/benefits/new/", views.benefit_create, name="benefit-create"),
    path("<int:pk>/stakeholders/new/", views.stakeholder_create, name="stakeholder-create"),
    path("benefits/<int:pk>/edit/", views.benefit_edit, name="benefit-edit"),
    path(
        "benefits/<int:pk>/measurements/new/", views.measurement_create, name="measurement-create"
    ),
    path("stakeholders/<int:pk>/edit/", views.stakeholder_edit, name="stakeholder-edit"),
    path("portfolios/new/", views.portfolio_create_view, name="portfolio-create"),
    path("portfolios/<int:pk>/", views.portfolio_detail, name="portfolio-detail"),
    path("portfolios/<int:pk>/edit/", views.portfolio_edit, name="portfolio-edit"),
    path("portfolios/<int:pk>/archive/", views.portfolio_archive, name="portfolio-archive"),
    path("portfolios/<int:pk>/health-policy/", views.health_policy_edit, name="health-policy"),
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/archive/", views.person_archive, name="person-archive"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team-edit"),
]
