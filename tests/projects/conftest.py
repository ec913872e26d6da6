"""Fixtures of the delivery layer's tests."""

import pytest

from tests.conftest import Cast
from tests.factories import PersonFactory


@pytest.fixture
def emails(cast: Cast) -> Cast:
    """The cast with its managers' addresses: Pam (A1), Otto (B1) and Sid, A1's sibling's
    manager, have one; Nora, Project A2's manager, has none."""
    for person, email in [
        (cast.project_manager, "pam@example.org"),
        (cast.other_project_manager, "otto@example.org"),
    ]:
        person.email = email
        person.save()
    cast.project_a1_sibling.manager = PersonFactory(name="Sid Sibling", email="sid@example.org")
    cast.project_a1_sibling.save()
    cast.project_a2.manager = PersonFactory(name="Nora Noemail", email="")
    cast.project_a2.save()
    return cast
