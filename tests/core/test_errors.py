"""Friendly error pages in the site layout: 400, 403, 404 and 500, and the app's own
refusals drawn the same way under DEBUG (`make run`) as in production."""

import pytest
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.urls("tests.core.error_urls")

LAYOUT = 'class="navbar'


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request: pytest.FixtureRequest, settings) -> bool:  # type: ignore[no-untyped-def]
    settings.DEBUG = request.param
    return bool(request.param)


def test_a_bad_request_is_the_friendly_400_page_with_its_reason(cast: Cast, debug: bool) -> None:
    response = cast.client_for(cast.executive).get("/test/refuse/")
    body = response.content.decode()
    assert response.status_code == 400 and LAYOUT in body
    assert "period must be a week like 2026-W46" in body
    assert "Eve Executive" in body  # the layout knows who is signed in


def test_a_refusal_is_the_friendly_403_page_with_its_reason(cast: Cast, debug: bool) -> None:
    response = cast.client_for(cast.executive).get("/account/api-tokens/all/")
    body = response.content.decode()
    assert response.status_code == 403 and LAYOUT in body
    assert "Not allowed" in body and "Only the PMO sees everyone&#x27;s API tokens." in body


def test_a_missing_row_is_the_friendly_404_page(cast: Cast, debug: bool) -> None:
    response = cast.client_for(cast.executive).get("/projects/987654/")
    body = response.content.decode()
    assert response.status_code == 404 and LAYOUT in body and "Page not found" in body
    assert "Traceback" not in body and "URLconf" not in body


def test_an_unknown_address_is_the_friendly_404_page_in_production(cast: Cast) -> None:
    response = cast.client_for(cast.executive).get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404 and LAYOUT in body
    assert "There is no such page" in body


def test_an_htmx_request_refused_swaps_nothing(cast: Cast) -> None:
    response = cast.client_for(cast.executive).get("/test/refuse/", HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and response["HX-Reswap"] == "none"


def test_a_failure_is_the_friendly_500_page_without_touching_the_database() -> None:
    # No django_db mark: a query while drawing the page would fail this test.
    client = Client(raise_request_exception=False)
    response = client.get("/test/fail/")
    body = response.content.decode()
    assert response.status_code == 500 and LAYOUT in body
    assert "Something went wrong on our side" in body and "a bug" not in body
