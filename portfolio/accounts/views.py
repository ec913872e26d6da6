"""Where a user lands after signing in; API tokens: each user creates (the secret is
shown once), lists and revokes their own; PMO also sees and revokes everyone's; the
throttled password reset; PMO's list of locked-out accounts and addresses, and unlocking;
PMO's log of authentication events."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portfolio.accounts import lockout, services
from portfolio.accounts.models import ApiToken, AuthEvent
from portfolio.core.access import refuse_unless
from portfolio.core.http import client_ip
from portfolio.core.navigation import landing_for
from programmes.access import is_pmo
from programmes.models import roles_of


def _owner(request: HttpRequest) -> User:
    """The logged-in user (every view here is behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(landing_for(roles_of(request.user)))


@login_required
def no_access(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/no_access.html", status=403)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What the token is for, e.g. “Finance export script”."
    )


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST":
        keys = (f"user:{request.user.pk}", f"address:{client_ip(request)}")
        blocked = lockout.TOKEN_CREATE.blocked_until(*keys)
        if blocked is not None:
            return lockout.locked_out_page(request, blocked, what="API token creation")
        lockout.TOKEN_CREATE.hit(*keys)
    if request.method == "POST" and form.is_valid():
        _, secret = services.api_token_issue(request=request, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    response = render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": ApiToken.objects.filter(user=_owner(request)),
            "everyone": False,
            "can_see_everyone": is_pmo(request.user),
        },
        status=400 if form.errors else 200,
    )
    if secret:
        # The secret is on this page once: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@login_required
def all_api_tokens(request: HttpRequest) -> HttpResponse:
    refuse_unless(is_pmo(request.user), "Only the PMO sees everyone's API tokens.")
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "tokens": ApiToken.objects.active().select_related("user"),
            "everyone": True,
            "can_see_everyone": True,
        },
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    mine = ApiToken.objects.filter(user=_owner(request))
    token = get_object_or_404(ApiToken.objects.all() if is_pmo(request.user) else mine, pk=pk)
    if services.api_token_revoke(request=request, token=token):
        messages.success(request, f"Revoked “{token.name}”: it no longer opens the API.")
    else:
        messages.info(request, f"“{token.name}” was already revoked.")
    return redirect("api-tokens" if token.user_id == request.user.pk else "api-tokens-all")


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, refusing (429) an address or an email address that asked
    PASSWORD_RESET_LIMIT times within the cool-off: each request mails someone."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = str(request.POST.get("email", "")).strip().lower()
        keys = (f"address:{client_ip(request)}", f"email:{email}")
        blocked = lockout.PASSWORD_RESET.blocked_until(*keys)
        if blocked is not None:
            return lockout.locked_out_page(request, blocked, what="password reset")
        lockout.PASSWORD_RESET.hit(*keys)
        return super().post(request, *args, **kwargs)


@login_required
def lockouts(request: HttpRequest) -> HttpResponse:
    refuse_unless(is_pmo(request.user), "Only the PMO sees and unlocks locked-out accounts.")
    return render(request, "accounts/lockouts.html", {"lockouts": lockout.current_lockouts()})


class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=[("username", "username"), ("address", "address")])
    value = forms.CharField(max_length=255)


@login_required
@require_POST
def unlock(request: HttpRequest) -> HttpResponse:
    refuse_unless(is_pmo(request.user), "Only the PMO unlocks accounts.")
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a username or an address to unlock.")
        return redirect("lockouts")
    kind, value = form.cleaned_data["kind"], form.cleaned_data["value"]
    if services.account_unlock(request=request, kind=kind, value=value):
        messages.success(request, f"Unlocked {kind} “{value}”: it may sign in again now.")
    else:
        messages.info(request, f"{kind.capitalize()} “{value}” was not locked.")
    return redirect("lockouts")


EVENTS_PER_PAGE = 100


@login_required
def auth_events(request: HttpRequest) -> HttpResponse:
    refuse_unless(is_pmo(request.user), "Only the PMO reviews sign-ins and API token changes.")
    events = AuthEvent.objects.select_related("user", "actor")
    kind = request.GET.get("kind", "")
    if kind in AuthEvent.Kind.values:
        events = events.filter(kind=kind)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/auth_events.html",
        {"page": page, "kinds": AuthEvent.Kind.choices, "kind": kind},
    )
