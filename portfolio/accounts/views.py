"""Where a user lands after signing in; MFA: setting up an authenticator app, the code step
after the password, turning it off; API tokens: each user creates (the secret is
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
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portfolio.accounts import lockout, mfa, services, sso
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


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Authentication code",
        max_length=20,
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


def _next_page(request: HttpRequest) -> str:
    """Where the code step goes on to: the page first asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else "/"


def _throttled(request: HttpRequest) -> HttpResponse | None:
    """The throttle's refusal (429) when this account or address made too many wrong
    attempts at a code (or at the password that turns MFA off), checked before trying."""
    if request.method != "POST":
        return None
    blocked = lockout.MFA_CODE.blocked_until(*mfa.throttle_keys(request))
    if blocked is None:
        return None
    return lockout.locked_out_page(request, blocked, what="authentication codes")


def _count_failure(request: HttpRequest) -> None:
    lockout.MFA_CODE.hit(*mfa.throttle_keys(request))


WRONG_CODE = "That code is not right. Check the time on your phone, or use a recovery code."


@never_cache
@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The step after the password for an account with MFA (the gate sends it here)."""
    if mfa.pending(request) != mfa.VERIFY:
        return redirect(_next_page(request))
    refused = _throttled(request)
    if refused is not None:
        return refused
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if services.mfa_verify(request=request, code=form.cleaned_data["code"]):
            return redirect(_next_page(request))
        _count_failure(request)
        form.add_error("code", WRONG_CODE)
    context = {"form": form, "next": _next_page(request)}
    return render(request, "accounts/mfa_verify.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
def mfa_settings(request: HttpRequest) -> HttpResponse:
    """MFA on this account: its state and how to turn it off, or how to set it up."""
    user = _owner(request)
    if mfa.has_app(user):
        return render(
            request,
            "accounts/mfa.html",
            {
                "enabled": True,
                "recovery_left": mfa.recovery_codes_left(user),
                "form": PasswordForm(user),
            },
        )
    return _throttled(request) or _enrol(request, user)


def _enrol(request: HttpRequest, user: User) -> HttpResponse:
    device = mfa.new_app(user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        codes = services.mfa_enable(request=request, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            # Shown once: nothing shows them again (a new set replaces them).
            response = render(request, "accounts/mfa_recovery_codes.html", {"codes": codes})
            response["Cache-Control"] = "no-store"
            return response
        _count_failure(request)
        form.add_error("code", "That code is not right. Scan the QR code again and retry.")
    context = {
        "enabled": False,
        "required": mfa.required_for(user),
        "qr": mfa.qr_svg(device),
        "secret": mfa.secret_of(device),
        "form": form,
    }
    return render(request, "accounts/mfa.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def mfa_disable(request: HttpRequest) -> HttpResponse:
    refused = _throttled(request)
    if refused is not None:
        return refused
    form = PasswordForm(_owner(request), request.POST)
    if not form.is_valid():
        _count_failure(request)
        messages.error(request, "MFA is still on: that was not your password.")
        return redirect("mfa")
    services.mfa_disable(request=request)
    messages.success(request, "MFA is off: your password alone signs you in now.")
    return redirect("mfa")


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


class LoginView(auth_views.LoginView):
    """Django's login, with the single sign-on button when a provider is configured."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_provider"] = sso.provider_name() if sso.enabled() else ""
        return context


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
    kind = forms.ChoiceField(
        choices=[("username", "username"), ("address", "address"), ("email", "email")]
    )
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
