"""The board pack's Celery job: it takes an id and calls the service."""

from celery import shared_task

from portfolio.boardpacks.services import BUILD_TASK, board_pack_build


@shared_task(name=BUILD_TASK)
def build_board_pack(pack_id: int) -> None:
    board_pack_build(pack_id=pack_id)
