from django.urls import path

from portfolio.accounts import sso, views

urlpatterns = [
    path("", views.home, name="home"),
    path("no-access/", views.no_access, name="no-access"),
    path("account/api-tokens/", views.api_tokens, name="api-tokens"),
    path("account/api-tokens/all/", views.all_api_tokens, name="api-tokens-all"),
    path("account/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("account/mfa/", views.mfa_settings, name="mfa"),
    path("account/mfa/verify/", views.mfa_verify, name="mfa-verify"),
    path("account/mfa/disable/", views.mfa_disable, name="mfa-disable"),
    path("account/security/", views.auth_events, name="auth-events"),
    path("account/lockouts/", views.lockouts, name="lockouts"),
    path("account/lockouts/unlock/", views.unlock, name="unlock"),
    path("oidc/authenticate/", sso.sso_start, name="oidc_authentication_init"),
    path("oidc/callback/", sso.sso_callback, name="oidc_authentication_callback"),
    # Before django.contrib.auth.urls (portfolio/urls.py), so these answer.
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path(
        "accounts/password_reset/",
        views.ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
]
