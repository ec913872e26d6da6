"""What a viewer may see, for the page cache (portfolio.core.pagecache): the text that
viewers who see the same share bodies under, and the portfolios and programmes a page needs
before it can name its scopes, kept per viewer so a poll asks no SQL."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from portfolio.core import pagecache
from programmes.models import Portfolio, Programme, person_for, roles_of, sees_everything


def viewer(user: Any) -> dict[str, Any]:
    """Roles, the portfolios and programmes the viewer reads, and those they write (the
    buttons a page offers), in three narrow queries; PMO sees and writes everything."""
    roles = ",".join(sorted(role.value for role in roles_of(user)))
    portfolios = sorted(Portfolio.objects.visible_to(user).active().values_list("pk", flat=True))
    if sees_everything(user):
        return {"profile": f"{roles}|everything", "portfolios": portfolios, "programmes": None}
    person = person_for(user)
    programmes = sorted(Programme.objects.visible_to(user).values_list("pk", "manager_id"))
    led = [pk for pk, manager_id in programmes if person and manager_id == person.pk]
    managed = sorted(person.managed_projects.values_list("pk", flat=True)) if person else []
    visible = [pk for pk, _ in programmes]
    return {
        "profile": f"{roles}|{portfolios}|{visible}|{led}|{managed}",
        "portfolios": portfolios,
        "programmes": visible,
    }


def _viewer(request: HttpRequest) -> dict[str, Any]:
    return pagecache.viewer(request) or viewer(request.user)  # without the cache: ask


def portfolio_scopes(request: HttpRequest) -> list[str]:
    """The scopes of every active portfolio the viewer reads (a page that lists them)."""
    return [pagecache.scope("portfolio", pk) for pk in _viewer(request)["portfolios"]]


def reporting_scopes(request: HttpRequest) -> list[str]:
    """The Reporting page's scopes: who reported in each portfolio the viewer reads, which
    a health roll-up or a register write leaves as it was (portfolio.health.scopes)."""
    return [pagecache.scope("reporting", pk) for pk in _viewer(request)["portfolios"]]


def may_see_programme(request: HttpRequest, pk: int) -> bool:
    programmes = _viewer(request)["programmes"]
    return programmes is None or pk in programmes
