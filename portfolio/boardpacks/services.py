"""Requesting a board pack and building it (the worker's half).

1. `board_pack_request` records the request and publishes the job after commit.
2. `board_pack_build` claims the pending pack (a job delivered twice builds it once), reads
   its pages batch by batch as the requester may see them, saving the progress after each
   batch (outside any long transaction, so the page polling it sees it move), renders the
   PDF and stores it. A failure is the pack's answer: its error is stored for the page to
   show and logged with its traceback, not raised (a rebuild would fail the same way, and in
   the quick start the job runs inside the request, which must not turn into a 500).
"""

from __future__ import annotations

import logging
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from portfolio.boardpacks.models import BoardPack
from portfolio.boardpacks.reading import Reader
from portfolio.boardpacks.rendering import pack_html, render_pdf
from portfolio.core.queue import enqueue_on_commit
from programmes.models import Portfolio, Programme

logger = logging.getLogger(__name__)

BUILD_TASK = "boardpacks.build"


def board_pack_request(*, user: User, subject: Portfolio | Programme, as_of: date) -> BoardPack:
    """A pending pack of `subject` (which the caller has checked the user may have)."""
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": f"{as_of:%d %b %Y} is still to come."})
    pack = BoardPack.objects.create(
        portfolio=subject if isinstance(subject, Portfolio) else None,
        programme=subject if isinstance(subject, Programme) else None,
        as_of=as_of,
        requested_by=user,
    )
    enqueue_on_commit(BUILD_TASK, pack.pk)
    return pack


def board_pack_build(*, pack_id: int) -> None:
    if not BoardPack.objects.claim(
        pack_id, from_status=BoardPack.Status.PENDING, to_status=BoardPack.Status.RUNNING
    ):
        logger.info("Board pack %s: already taken", pack_id)
        return
    pack = BoardPack.objects.select_related(
        "portfolio", "programme__portfolio", "requested_by"
    ).get(pk=pack_id)
    try:
        reader = Reader(pack.requested_by, pack.subject, pack.as_of)
        total = len(reader.batches()) + 1  # the batches of pages, then the rendering
        BoardPack.objects.filter(pk=pack_id).update(progress_total=total)

        def on_batch(done: int) -> None:
            BoardPack.objects.filter(pk=pack_id).update(progress_done=done)

        html = pack_html(reader, on_batch=on_batch)
        rendered = render_pdf(html)
    except Exception as exc:
        logger.exception("Board pack %s failed", pack_id)
        BoardPack.objects.filter(pk=pack_id).update(
            status=BoardPack.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
        )
        return
    BoardPack.objects.filter(pk=pack_id).update(
        status=BoardPack.Status.SUCCEEDED,
        pdf=rendered.pdf,
        pages=rendered.pages,
        progress_done=total,
        finished_at=timezone.now(),
    )
    logger.info("Board pack %s: %s pages", pack_id, rendered.pages)
