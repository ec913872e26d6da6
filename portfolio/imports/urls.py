from django.urls import path

from portfolio.imports import views as import_views
from portfolio.imports.mspdi import views as mspdi_views

app_name = "imports"
urlpatterns = [
    path("", import_views.job_list, name="list"),
    path("new/", import_views.upload, name="new"),
    path("<int:pk>/mapping/", import_views.mapping, name="mapping"),
    path("<int:pk>/read-as/", import_views.read_as, name="read-as"),
    path("<int:pk>/preview/", import_views.preview, name="preview"),
    path("<int:pk>/", import_views.job_detail, name="job"),
    path(
        "<int:pk>/mapping.json",
        import_views.mapping_document_download,
        name="mapping-document",
    ),
    path("<int:pk>/problems.csv", import_views.problems_download, name="problems"),
    path("<int:pk>/rejected-rows.csv", import_views.rejected_download, name="rejected"),
    path("project/<int:pk>/microsoft-project/", mspdi_views.mspdi_import_page, name="mspdi"),
]
