"""The Microsoft Project import page of a project, and its API twin."""

import base64
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portfolio.accounts.models import ApiToken
from projects.models import Dependency, Milestone
from tests.conftest import Cast
from tests.factories import MilestoneFactory
from tests.imports.mspdi_files import FILES

pytestmark = pytest.mark.django_db


def _page(cast: Cast) -> str:
    return reverse("imports:mspdi", args=[cast.project_a1.pk])


def _file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FILES / name).read_bytes(), content_type="text/xml")


def test_the_project_page_links_to_the_import_for_its_manager_only(cast: Cast) -> None:
    project_page = reverse("projects:detail", args=[cast.project_a1.pk])
    for person, shown in ((cast.project_manager, True), (cast.executive, False)):
        body = cast.client_for(person).get(project_page).content.decode()
        assert (_page(cast) in body) is shown


def test_a_file_that_is_not_a_plan_is_refused_next_to_the_field(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    response = client.post(_page(cast), {"file": _file("plan.mpp")})
    assert response.status_code == 400
    assert "File → Save As → XML" in response.context["form"].errors["file"][0]


def test_uploading_shows_the_preview_and_saves_nothing(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    response = client.post(_page(cast), {"file": _file("project-2019-online.xml")})
    assert response.status_code == 200
    assert response.context["counts"]["create"] == 4
    assert "Mise en service – Zürich" in response.content.decode()
    assert not Milestone.objects.filter(project=cast.project_a1).exists()


def _preview_then_commit(client: Client, cast: Cast, name: str) -> Any:
    preview = client.post(_page(cast), {"file": _file(name)})
    return client.post(_page(cast), {"token": preview.context["token"]}, follow=True)


def test_committing_imports_the_previewed_file_and_returns_to_the_project(cast: Cast) -> None:
    MilestoneFactory(project=cast.project_b1, name="API delivered")
    response = _preview_then_commit(cast.client_for(cast.pmo), cast, "project-2010.xml")
    assert response.redirect_chain[-1][0] == cast.project_a1.get_absolute_url()
    body = response.content.decode()
    assert "Build › Integration" in body
    assert "4 milestones created" in body
    assert Dependency.objects.filter(upstream=cast.project_b1, downstream=cast.project_a1).exists()


def test_a_commit_of_a_file_no_longer_held_asks_for_it_again(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    response = client.post(_page(cast), {"token": "f" * 64})
    assert response.status_code == 400
    assert "upload it again" in response.content.decode()
    assert not Milestone.objects.exists()


def test_one_users_preview_cannot_be_committed_by_another(cast: Cast) -> None:
    preview = cast.client_for(cast.pmo).post(_page(cast), {"file": _file("project-2010.xml")})
    other = cast.client_for(cast.project_manager)
    response = other.post(_page(cast), {"token": preview.context["token"]})
    assert response.status_code == 400
    assert not Milestone.objects.exists()


# API ----------------------------------------------------------------------------------------


@pytest.fixture
def pm_api(cast: Cast) -> APIClient:
    client = APIClient()
    token = ApiToken.objects.issue(user=cast.project_manager.user, name="script")[1]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _api(cast: Cast, commit: bool = False) -> str:
    url = reverse("api:project-mspdi-list", args=[cast.project_a1.pk])
    return url + ("?commit=true" if commit else "")


def test_the_api_answers_the_preview_as_json_and_saves_nothing(
    cast: Cast, pm_api: APIClient
) -> None:
    content = (FILES / "project-2016-utf16.xml").read_bytes()
    response = pm_api.post(_api(cast), {"file": io.BytesIO(content)}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["committed"] is False
    assert body["counts"]["create"] == 4
    integration = next(m for m in body["milestones"] if m["name"] == "Integration start")
    assert integration["stage"] == "Build › Integration"
    assert integration["baseline_date"] == "2027-06-01"
    assert not Milestone.objects.exists()


def test_the_api_commits_when_asked(cast: Cast, pm_api: APIClient) -> None:
    content = base64.b64encode((FILES / "project-2007.xml").read_bytes()).decode()
    response = pm_api.post(_api(cast, commit=True), {"content_base64": content}, format="json")
    assert response.status_code == 201
    assert response.json()["committed"] is True
    assert cast.project_a1.milestones.count() == 4


@pytest.mark.parametrize(
    ("name", "words"),
    [("xxe.xml", "DTD"), ("ganttproject.xml", "not a Microsoft Project file")],
)
def test_the_api_refuses_a_file_that_is_not_a_plan_naming_the_field(
    cast: Cast, pm_api: APIClient, name: str, words: str
) -> None:
    content = (FILES / name).read_bytes()
    response = pm_api.post(_api(cast), {"file": io.BytesIO(content)}, format="multipart")
    assert response.status_code == 400
    assert words in response.json()["file"][0]


def test_the_api_refuses_content_that_is_not_base64(cast: Cast, pm_api: APIClient) -> None:
    response = pm_api.post(_api(cast), {"content_base64": "%%%"}, format="json")
    assert response.status_code == 400
    assert "content_base64" in response.json()


def test_the_import_route_is_in_the_openapi_schema(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    route = schema["paths"]["/api/v1/projects/{project_pk}/mspdi/"]["post"]
    assert {p["name"] for p in route["parameters"]} >= {"commit", "project_pk"}


def test_the_api_refuses_to_commit_a_plan_with_errors(cast: Cast, pm_api: APIClient) -> None:
    empty = b'<Project xmlns="http://schemas.microsoft.com/project"><Tasks/></Project>'
    body = {"content_base64": base64.b64encode(empty).decode()}
    response = pm_api.post(_api(cast, commit=True), body, format="json")
    assert response.status_code == 409
    assert response.json()["committed"] is False
    assert "no milestones" in response.json()["errors"][0]


def test_the_api_asks_for_a_file_when_none_is_sent(cast: Cast, pm_api: APIClient) -> None:
    response = pm_api.post(_api(cast), {}, format="json")
    assert response.status_code == 400
    assert "file" in response.json()


def test_the_page_asks_for_a_file_when_none_is_sent(cast: Cast) -> None:
    response = cast.client_for(cast.project_manager).post(_page(cast), {})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_the_milestones_api_shows_the_imported_stage(cast: Cast, pm_api: APIClient) -> None:
    content = base64.b64encode((FILES / "project-2007.xml").read_bytes()).decode()
    pm_api.post(_api(cast, commit=True), {"content_base64": content}, format="json")
    integration = Milestone.objects.get(name="Integration start")
    response = pm_api.get(reverse("api:milestone-detail", args=[integration.pk]))
    assert response.json()["stage"] == "Build › Integration"
