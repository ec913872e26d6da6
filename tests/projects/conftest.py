"""Fixtures of the delivery layer's tests."""

from collections.abc import Callable
from typing import Any

import pytest

from portfolio.core import pagecache
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


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the cached parts rendered (not served from the cache), in order."""
    rendered: list[str] = []
    real = pagecache.cached

    def spy(key: str | None, render: Callable[[], str], *args: Any) -> str:
        def counted() -> str:
            rendered.append(key.split(":")[1] if key else "uncached")
            return render()

        return real(key, counted, *args)

    monkeypatch.setattr(pagecache, "cached", spy)
    return rendered
