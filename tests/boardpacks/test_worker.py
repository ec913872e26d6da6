"""A board pack built by a real Celery worker on the real Redis and PostgreSQL: requested on
the page, its progress followed, the PDF downloaded."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.boardpacks.models import BoardPack
from tests.boardpacks.pdf import page_count, text_of
from tests.conftest import Cast, wait_for

pytestmark = pytest.mark.worker


def test_a_worker_builds_the_requested_pack_and_the_page_offers_the_pdf(
    celery_worker, cast: Cast
) -> None:
    client = cast.client_for(cast.pmo)
    response = client.post(
        reverse("boardpacks:list"),
        {"subject": f"portfolio-{cast.portfolio_a.pk}", "as_of": str(timezone.localdate())},
    )
    assert response.status_code == 302
    pack = BoardPack.objects.get()
    done = wait_for(
        lambda: BoardPack.objects.filter(pk=pack.pk, status__in=["succeeded", "failed"]).first(),
        timeout=90,
    )
    assert done.status == BoardPack.Status.SUCCEEDED, done.error
    status = client.get(pack.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert pack.download_url() in status and "hx-trigger" not in status  # polling stops
    download = client.get(pack.download_url())
    assert download["Content-Disposition"].startswith("attachment;")
    text = text_of(download.content)
    assert "Portfolio A" in text and "Programme A1" in text and "Programme A2" in text
    assert page_count(download.content) == done.pages == 5
