"""Imports through the API: upload a file with its mapping document, poll the job."""

from __future__ import annotations

import base64
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portfolio.accounts.models import ApiToken
from portfolio.imports import api
from portfolio.imports.models import ImportJob
from portfolio.imports.services import import_job_run
from projects.models import Project, StatusReport
from tests.conftest import Cast
from tests.imports.returns import COLUMNS, HEADERS, return_file, row

DOCUMENT = {"columns": COLUMNS, "cost_unit": "units", "options": {"rating_scale": "dca5"}}


@pytest.fixture
def pmo_api(cast: Cast) -> APIClient:
    client = APIClient()
    token = ApiToken.objects.issue(user=cast.pmo.user, name="script")[1]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _upload(client: APIClient, data: bytes, **fields: Any) -> Any:
    body = {
        "file": io.BytesIO(data),
        "mapping": json.dumps(DOCUMENT),
        "period": "2022-03-31",
        **fields,
    }
    return client.post(reverse("api:import-list"), body, format="multipart")


def test_an_upload_with_a_mapping_queues_the_job_and_polling_shows_the_outcome(
    pmo_api: APIClient,
) -> None:
    response = _upload(pmo_api, return_file([row(rating_overall="A/G")]))
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    job_id = response.json()["id"]
    import_job_run(job_id=job_id)
    polled = pmo_api.get(reverse("api:import-detail", args=[job_id])).json()
    assert polled["status"] == "succeeded"
    assert polled["counts"]["projects"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert polled["period"] == "2022-03-31"
    report = StatusReport.objects.get(project__external_id="HS2")
    assert (report.overall, report.period_start) == ("amber_green", date(2022, 3, 28))


def test_a_dry_run_answers_with_the_preview_and_saves_nothing(pmo_api: APIClient) -> None:
    response = _upload(
        pmo_api, return_file([row(), row(project_code="X", rating_overall="Blue")]), dry_run=True
    )
    body = response.json()
    assert body["status"] == "draft"
    assert body["counts"]["projects"]["created"] == 1
    assert body["problem_count"] == 1 and body["problems"][0]["row"] == 3
    assert not Project.objects.filter(external_id="HS2").exists()


def test_a_partial_import_leaves_out_the_rejected_rows_and_says_how_many(
    pmo_api: APIClient,
) -> None:
    data = return_file([row(), row(project_code="X", rating_overall="Blue")])
    job_id = _upload(pmo_api, data, partial_import=True).json()["id"]
    import_job_run(job_id=job_id)
    polled = pmo_api.get(reverse("api:import-detail", args=[job_id])).json()
    assert polled["status"] == "succeeded"
    assert polled["problem_count"] == 1
    assert polled["error"] == "1 rows were left out; the others were imported."


def test_a_mapping_that_names_an_unknown_field_is_a_400_naming_it(pmo_api: APIClient) -> None:
    response = pmo_api.post(
        reverse("api:import-list"),
        {"file": io.BytesIO(return_file([row()])), "mapping": '{"columns": {"colour": "DCA"}}'},
        format="multipart",
    )
    assert response.status_code == 400
    assert "Unknown fields in the mapping: colour" in response.json()["mapping"][0]
    assert not ImportJob.objects.exists()


def test_a_mapping_the_file_cannot_satisfy_is_a_400(pmo_api: APIClient) -> None:
    document = {"columns": COLUMNS | {"project_name": "No such column"}}
    response = pmo_api.post(
        reverse("api:import-list"),
        {"file": io.BytesIO(return_file([row()])), "mapping": json.dumps(document)},
        format="multipart",
    )
    assert response.status_code == 400
    assert 'The file has no column "No such column"' in response.json()["mapping"][0]


def test_the_import_endpoints_are_in_the_openapi_schema(pmo_api: APIClient) -> None:
    schema = pmo_api.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    assert "/api/v1/imports/" in schema["paths"]
    assert "/api/v1/imports/{id}/" in schema["paths"]
    assert (
        "multipart/form-data"
        in schema["paths"]["/api/v1/imports/"]["post"]["requestBody"]["content"]
    )


def test_an_upload_is_read_by_the_reading_options_of_its_mapping_document(
    pmo_api: APIClient,
) -> None:
    """A semicolon, day-first, comma-decimal return whose rating moved to a second column."""
    headers = [*HEADERS, "DCA (new)"]
    values = row(start_date="01.04.2015", planned_cost="1.234,50", rating_overall="N/A")
    text = ";".join(headers) + "\n" + ";".join([*values.values(), "Amber / red"]) + "\n"
    reading = {
        "date_convention": "dmy",
        "money_locale": "comma",
        "delimiter": ";",
        "extra_columns": {"rating_overall": ["DCA (new)"]},
    }
    response = _upload(pmo_api, text.encode(), mapping=json.dumps(DOCUMENT | {"reading": reading}))
    assert response.status_code == 201, response.json()
    assert response.json()["reading"]["extra_columns"] == reading["extra_columns"]
    import_job_run(job_id=response.json()["id"])
    project = Project.objects.get(external_id="HS2")
    assert (project.baseline_start, project.budget) == (date(2015, 4, 1), Decimal("1234.50"))
    assert project.status_reports.get().overall == "amber_red"


@pytest.mark.parametrize(
    ("content_type", "field"),
    [("multipart/form-data; boundary=x", "file"), ("application/json", "content_base64")],
)
def test_an_upload_whose_content_length_is_over_the_limit_is_a_413_before_its_body_is_read(
    pmo_api: APIClient, content_type: str, field: str
) -> None:
    # The test client's payload raises if more is read than it holds: the claim alone refuses.
    response = pmo_api.generic(
        "POST",
        reverse("api:import-list"),
        b"{}",
        content_type=content_type,
        CONTENT_LENGTH=str(40 * 1024 * 1024),
    )
    assert response.status_code == 413
    [reason] = response.json()[field]
    assert "larger than 20 MB, the largest accepted" in reason


@pytest.mark.parametrize("as_json", [False, True])
def test_a_file_over_the_limit_within_the_envelope_is_a_413_naming_its_field(
    pmo_api: APIClient, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    data = return_file([row()] * 40)
    monkeypatch.setattr(api, "MAX_UPLOAD_BYTES", len(data) - 1)
    if as_json:
        body = {
            "content_base64": base64.b64encode(data).decode(),
            "mapping": DOCUMENT,
            "period": "2022-03-31",
        }
        response = pmo_api.post(reverse("api:import-list"), body, format="json")
    else:
        response = _upload(pmo_api, data)
    assert response.status_code == 413
    assert list(response.json()) == ["content_base64" if as_json else "file"]
    assert not ImportJob.objects.exists()


def test_the_openapi_schema_documents_the_413_of_an_upload(pmo_api: APIClient) -> None:
    schema = pmo_api.get(reverse("api:schema"), {"format": "json"}).json()
    assert "413" in schema["paths"]["/api/v1/imports/"]["post"]["responses"]
