"""Run the test provider: migrate its SQLite file, add the users (with their groups, by name)
and the client application given as JSON in OIDC_PROVIDER_SETUP, then serve on
127.0.0.1:PORT until stopped.

    python -m tests.oidc_provider.serve PORT
"""

import json
import os
import sys

import django


def main(port: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    django.setup()
    # Only importable once Django is set up with the provider's settings.
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    setup = json.loads(os.environ["OIDC_PROVIDER_SETUP"])
    for person in setup["users"]:
        groups = person.pop("groups", [])
        user = User.objects.create_user(**person)
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    Application.objects.create(
        name=setup["client"]["name"],
        client_id=setup["client"]["client_id"],
        client_secret=setup["client"]["client_secret"],
        redirect_uris=setup["client"]["redirect_uri"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, verbosity=0)


if __name__ == "__main__":
    main(sys.argv[1])
