"""The growth run's organisation: bench.seed at 3× L in a database of its own. Run by
bench.run as a subprocess with DATABASE_URL (and a Redis db of its own) set; prints one JSON
line: {"seed_s": …, "sizes": {…}, "pages": {page: [username, path]}}."""

from __future__ import annotations

import json
import time

import django

GROWTH_FACTOR = 3


def main() -> None:
    django.setup()
    from bench.pages import page_targets
    from bench.seed import LARGE, seed

    started = time.perf_counter()
    sizes = seed(LARGE.times(GROWTH_FACTOR), log=lambda _line: None)
    seed_s = round(time.perf_counter() - started, 1)
    pages = {name: [page.username, page.url] for name, page in page_targets().items()}
    print(json.dumps({"seed_s": seed_s, "sizes": sizes, "pages": pages}))


if __name__ == "__main__":
    main()
