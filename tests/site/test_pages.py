"""Every page reachable from the demo renders for every role: a small crawler that follows
links from the landing page and fails on any server error."""

from html.parser import HTMLParser
from urllib.parse import urldefrag, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from portfolio.demo.organisation import DEMO_LOGINS, load_demo

PAGE_LIMIT = 400


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or name == "hx-get"):
                self.links.append(value)


def _internal(link: str, current: str) -> str | None:
    url = urldefrag(link)[0]
    if not url or url.startswith(("mailto:", "http://", "https://", "javascript:")):
        return None
    if url.startswith("?"):
        url = urlparse(current).path + url
    if not url.startswith("/") or "export=" in url or url.startswith("/admin/"):
        return None
    return url


@pytest.mark.parametrize("username", [login.username for login in DEMO_LOGINS])
def test_every_page_a_role_can_reach_renders(db: None, username: str) -> None:
    load_demo()
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    queue, seen = ["/"], set()
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        assert response.status_code < 500, url
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        if "text/html" in response.get("Content-Type", ""):
            parser = _Links()
            parser.feed(response.content.decode())
            queue.extend(
                u for u in (_internal(link, url) for link in parser.links) if u and u not in seen
            )
    assert len(seen) > 10
