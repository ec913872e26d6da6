"""Requesting a board pack on its page and in the API: who may have a pack of what, the
errors beside the field, a failed build's reason, and the download."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portfolio.boardpacks.models import BoardPack
from portfolio.boardpacks.services import board_pack_build
from tests.conftest import Cast

TODAY = timezone.localdate()


def _post(cast: Cast, who: str, subject: str, as_of: str = str(TODAY)):  # type: ignore[no-untyped-def]
    return cast.client_for(getattr(cast, who)).post(
        reverse("boardpacks:list"), {"subject": subject, "as_of": as_of}
    )


def test_a_programme_manager_requests_a_pack_of_their_programme(cast: Cast) -> None:
    response = _post(cast, "programme_manager", f"programme-{cast.programme_a1.pk}")
    pack = BoardPack.objects.get()
    assert response.status_code == 302 and response.url == pack.get_absolute_url()
    assert (pack.programme, pack.as_of, pack.requested_by) == (
        cast.programme_a1,
        TODAY,
        cast.programme_manager.user,
    )


@pytest.mark.parametrize(
    ("who", "subject"),
    [
        ("programme_manager", "programme_a2"),  # not theirs
        ("programme_manager", "portfolio_a"),  # reads only part of it
        ("executive", "programme_b1"),  # another portfolio
        ("executive", "portfolio_b"),
    ],
)
def test_a_pack_of_what_one_may_not_have_is_refused_beside_the_field(
    cast: Cast, who: str, subject: str
) -> None:
    kind = subject.split("_")[0]
    response = _post(cast, who, f"{kind}-{getattr(cast, subject).pk}")
    assert response.status_code == 400
    assert "subject" in response.context["form"].errors
    assert not BoardPack.objects.exists()


def test_a_day_still_to_come_is_refused_beside_the_field(cast: Cast) -> None:
    tomorrow = str(TODAY + timedelta(days=1))
    response = _post(cast, "pmo", f"portfolio-{cast.portfolio_a.pk}", tomorrow)
    assert response.status_code == 400
    assert "still to come" in response.context["form"].errors["as_of"][0]


def test_a_project_manager_has_no_board_pack_page(cast: Cast) -> None:
    response = cast.client_for(cast.project_manager).get(reverse("boardpacks:list"))
    assert response.status_code == 403


def test_the_form_offers_only_what_the_user_may_have_a_pack_of(cast: Cast) -> None:
    page = cast.client_for(cast.executive).get(reverse("boardpacks:list")).content.decode()
    assert "Portfolio A" in page and "Programme A1" in page and "Programme A2" in page
    assert "Portfolio B" not in page and "Programme B1" not in page


def test_a_failed_build_shows_its_reason(cast: Cast) -> None:
    pack = BoardPack.objects.create(
        programme=cast.programme_a1, as_of=TODAY, requested_by=cast.pmo.user
    )
    with mock.patch(
        "portfolio.boardpacks.services.render_pdf", side_effect=RuntimeError("No fonts found")
    ):
        board_pack_build(pack_id=pack.pk)
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.FAILED and pack.pdf is None
    page = cast.client_for(cast.pmo).get(pack.get_absolute_url()).content.decode()
    assert "RuntimeError: No fonts found" in page
    assert cast.client_for(cast.pmo).get(pack.download_url()).status_code == 404


def test_a_pack_is_built_once_when_its_job_comes_twice(cast: Cast) -> None:
    pack = BoardPack.objects.create(
        programme=cast.programme_a1, as_of=TODAY, requested_by=cast.pmo.user
    )
    board_pack_build(pack_id=pack.pk)
    with mock.patch("portfolio.boardpacks.services.render_pdf") as render:
        board_pack_build(pack_id=pack.pk)
    render.assert_not_called()
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.SUCCEEDED and bytes(pack.pdf).startswith(b"%PDF")
    assert pack.progress_done == pack.progress_total == 2


def _api(cast: Cast, who: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(getattr(cast, who).user)
    return client


def test_the_api_refuses_a_pack_of_a_programme_one_may_not_see_naming_the_field(
    cast: Cast,
) -> None:
    response = _api(cast, "programme_manager").post(
        "/api/v1/board-packs/",
        {"programme": cast.programme_b1.pk, "as_of": str(TODAY)},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["programme"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"as_of": str(TODAY)}, "portfolio"),
        ({"portfolio": 1, "programme": 1, "as_of": str(TODAY)}, "portfolio"),
        ({"portfolio": 1, "as_of": "yesterday"}, "as_of"),
        ({"portfolio": 1, "as_of": str(TODAY + timedelta(days=3))}, "as_of"),
        ({"portfolio": "x", "as_of": str(TODAY)}, "portfolio"),
    ],
)
def test_the_api_names_the_field_of_a_bad_request(cast: Cast, body: dict, field: str) -> None:  # type: ignore[type-arg]
    response = _api(cast, "pmo").post("/api/v1/board-packs/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_the_api_queues_reports_and_downloads_a_pack(cast: Cast) -> None:
    client = _api(cast, "pmo")
    response = client.post(
        "/api/v1/board-packs/",
        {"portfolio": cast.portfolio_a.pk, "as_of": str(TODAY)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pack_id = response.json()["id"]
    assert response.json()["status"] == "pending" and response.json()["download_url"] is None
    assert client.get(f"/api/v1/board-packs/{pack_id}/download/").status_code == 409
    board_pack_build(pack_id=pack_id)
    status = client.get(f"/api/v1/board-packs/{pack_id}/").json()
    assert status["status"] == "succeeded" and status["progress"]["percent"] == 100
    download = client.get(status["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
