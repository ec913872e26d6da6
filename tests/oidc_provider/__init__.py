"""A tiny OpenID Connect provider (django-oauth-toolkit) that the single sign-on tests start
in a second process on 127.0.0.1, with its own SQLite file and an RSA key made by the test:
a real provider, not a mock. `running_provider` starts it and stops it."""
