"""Board pack pages: request one, follow its progress (htmx polls the `pack-status`
partial), download it. A pack is its requester's (the PMO's: anyone's); others get 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from portfolio.boardpacks.access import may_request_board_packs
from portfolio.boardpacks.forms import BoardPackForm
from portfolio.boardpacks.models import BoardPack
from portfolio.boardpacks.services import board_pack_request

RECENT = 20


@login_required
def board_packs(request: HttpRequest) -> HttpResponse:
    may_request_board_packs.require(request.user)
    form = BoardPackForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        pack = board_pack_request(
            user=request.user,  # type: ignore[arg-type]
            subject=form.cleaned_data["subject"],
            as_of=form.cleaned_data["as_of"],
        )
        return redirect(pack)
    packs = (
        BoardPack.objects.filter(requested_by=request.user.pk)
        .defer("pdf")
        .select_related("portfolio", "programme")[:RECENT]
    )
    status = 400 if form.errors else 200
    return render(
        request, "boardpacks/boardpack_list.html", {"form": form, "packs": packs}, status=status
    )


@login_required
def board_pack_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pack = get_object_or_404(
        BoardPack.objects.visible_to(request.user)
        .defer("pdf")
        .select_related("portfolio", "programme"),
        pk=pk,
    )
    template = "boardpacks/boardpack_detail.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#pack-status"
    return render(request, template, {"pack": pack})


@login_required
def board_pack_download(request: HttpRequest, pk: int) -> HttpResponse:
    pack = get_object_or_404(
        BoardPack.objects.visible_to(request.user).select_related("portfolio", "programme"),
        pk=pk,
        status=BoardPack.Status.SUCCEEDED,
    )
    response = HttpResponse(bytes(pack.pdf or b""), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
    return response
