"""Fallback for `manage.py collectstatic` when production's storage refuses the vendored
files: they end in `sourceMappingURL=….map` comments and the .map files are not vendored,
so whitenoise's CompressedManifestStaticFilesStorage raises MissingFileError.

This collects with the same storage minus the source-map rewriting, leaving those comments
as they are (browsers only fetch maps with developer tools open). The manifest it writes is
the one production's storage reads, so gunicorn runs with the real settings. The proper fix
is in the app (see bench/README.md); the bench says when it had to fall back.
"""

from __future__ import annotations

import django
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(
    patterns: tuple[tuple[str, tuple[object, ...]], ...],
) -> tuple[tuple[str, tuple[object, ...]], ...]:
    return tuple(
        (extension, tuple(p for p in rules if "sourceMappingURL" not in str(p)))
        for extension, rules in patterns
    )


class SourceMapTolerantStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Before anything opens the staticfiles storage, which reads this setting once.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "bench.collectstatic.SourceMapTolerantStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=1)


if __name__ == "__main__":
    main()
