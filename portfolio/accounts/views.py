"""Where a user lands after signing in, and API tokens: each user creates (the secret is
shown once), lists and revokes their own; PMO also sees and revokes everyone's."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portfolio.accounts.models import ApiToken
from portfolio.core.access import refuse_unless
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
    if request.method == "POST" and form.is_valid():
        _, secret = ApiToken.objects.issue(user=request.user, name=form.cleaned_data["name"])
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
    if token.revoke(by=request.user):
        messages.success(request, f"Revoked “{token.name}”: it no longer opens the API.")
    else:
        messages.info(request, f"“{token.name}” was already revoked.")
    return redirect("api-tokens" if token.user_id == request.user.pk else "api-tokens-all")
