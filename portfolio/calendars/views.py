"""The calendar feed (answered to a secret URL, with no session: calendar clients send no
cookies) and the page where a user makes, copies once and revokes theirs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portfolio.calendars.feed import calendar_for
from portfolio.calendars.models import CalendarFeed


def _owner(request: HttpRequest) -> User:
    """The logged-in user (the views using it are behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


@require_GET
@never_cache
def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The iCalendar of the feed's owner; 404 alike for an unknown and a revoked secret, so
    a revoked URL tells nothing about whether it ever worked."""
    opened = CalendarFeed.objects.opening(secret)
    if opened is None or not opened.user.is_active:
        raise Http404("No such calendar feed.")
    opened.record_use()
    calendar = calendar_for(
        opened.user,
        today=timezone.localdate(),
        stamp=timezone.now(),
        url=request.build_absolute_uri,
    )
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="stationmaster.ics"'
    return response


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    feed_url = None
    if request.method == "POST":
        _, secret = CalendarFeed.objects.issue(user=request.user)
        feed_url = request.build_absolute_uri(reverse("calendars:feed", args=[secret]))
    response = render(
        request,
        "calendars/feed_settings.html",
        {
            "feed_url": feed_url,
            "feeds": CalendarFeed.objects.filter(user=_owner(request))[:10],
        },
    )
    if feed_url:
        # The secret URL is on this page once: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    revoked = [f for f in CalendarFeed.objects.active().filter(user=_owner(request)) if f.revoke()]
    if revoked:
        messages.success(request, "Revoked your calendar feed: its URL no longer answers.")
    else:
        messages.info(request, "You have no calendar feed to revoke.")
    return redirect("calendars:settings")
