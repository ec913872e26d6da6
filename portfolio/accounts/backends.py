"""Signing in with a username and password, and loading the signed-in user on each request.

Every page asks who the user is, which person they are and what they manage (navigation,
access rules): the session's user comes with all three in one query, so a page answered
from the page cache costs two queries (session and user), as a page with no data does.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from programmes.models import Person


def signed_in_user(user_id: Any) -> Any | None:
    """The user with their person (if any) and its management flags, or None."""
    users = get_user_model()._default_manager.select_related("person")
    user: Any = users.annotate(**Person.management_of_login()).filter(pk=user_id).first()
    if user is None:
        return None
    person = getattr(user, "person", None)
    if person is not None:
        person.loaded_management = (user.manages_programmes, user.manages_projects)
    return user


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any | None:
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
