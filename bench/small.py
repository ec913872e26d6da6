"""The small size: the demo organisation (portfolio.demo.load_demo) in its own database,
then the SQL queries of each page. Run by bench.run as a subprocess with DATABASE_URL set
to that database; prints one JSON line: {"seed_s": …, "queries": {page: count}}."""

from __future__ import annotations

import json
import time

import django


def main() -> None:
    django.setup()
    from bench.pages import count_queries, page_targets
    from portfolio.demo.organisation import load_demo

    started = time.perf_counter()
    load_demo()
    seed_s = time.perf_counter() - started
    print(json.dumps({"seed_s": round(seed_s, 2), "queries": count_queries(page_targets())}))


if __name__ == "__main__":
    main()
