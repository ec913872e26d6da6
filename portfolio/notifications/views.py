"""The bell, the notices page and the preferences form: each starts from the user's own
notices, so nobody can read or mark another's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from portfolio.notifications import services
from portfolio.notifications.forms import PreferencesForm
from portfolio.notifications.models import Notification, NotificationPreference

PAGE_SIZE = 50
# The bell listens for this event (templates/notifications/bell.html) to refresh at once.
CHANGED = "notices-changed"


def _changed(response: HttpResponse) -> HttpResponse:
    return trigger_client_event(response, CHANGED)


@login_required
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell with the unread count; the navigation bar polls it (htmx)."""
    count = Notification.objects.shown_to(request.user).unread().count()  # type: ignore[arg-type]
    response = render(request, "notifications/bell.html", {"unread_count": count})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notices = Notification.objects.shown_to(request.user)  # type: ignore[arg-type]
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notices = notices.unread()
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "unread_only": unread_only},
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go where it points (a POST: reading changes the count)."""
    notice = get_object_or_404(Notification.objects.shown_to(request.user), pk=pk)  # type: ignore[arg-type]
    services.notification_mark_read(notification=notice)
    safe = url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()})
    return redirect(notice.url if notice.url and safe else "notifications:list")


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notification.objects.shown_to(request.user), pk=pk)  # type: ignore[arg-type]
    services.notification_mark_read(notification=notice)
    if request.htmx:  # type: ignore[attr-defined]
        row = render(request, "notifications/notification_list.html#notice-row", {"notice": notice})
        return _changed(row)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = services.notifications_mark_all_read(user=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Marked {marked} notice{'s' if marked != 1 else ''} read.")
    return redirect("notifications:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(
        request.POST or None,
        preferences=NotificationPreference.for_user(user),  # type: ignore[arg-type]
        digest=services.digest_enabled(user),  # type: ignore[arg-type]
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_save(
            user=user,  # type: ignore[arg-type]
            choices=form.choices(),
            digest=form.cleaned_data["digest"],
        )
        messages.success(request, "Saved your notification preferences.")
        return redirect("notifications:preferences")
    status = 400 if form.errors else 200
    return render(request, "notifications/preferences_form.html", {"form": form}, status=status)
