"""Health recomputation requests: a durable pending mark per subject, and its job.

Lower layers never call this module: they send `portfolio.core.signals.health_inputs_changed`
and `portfolio.health.receivers` turns it into requests here.

1. `health_request` inserts the subject's mark, or moves its `generation` when one is
   already pending, in the caller's transaction; a new mark publishes one job after commit.
2. The job (`health_begin`) reads the mark's generation, recomputes and commits the
   result, asks for its parent, and then `health_done` deletes the mark only if its
   generation is still the one read. A request that arrived meanwhile keeps the mark and
   the job publishes itself again; a job that fails or is killed deletes nothing, so its
   redelivery (acks_late) or the sweep does the work.

Marks are locked in one order within a statement (kind, then id), and each of a job's
transactions writes marks in one statement, holding no other mark while it waits, so a job
and a user's write never wait for each other's marks in a cycle.
"""

import math
from datetime import datetime, timedelta
from functools import partial

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from portfolio.core import pagecache
from portfolio.core.queue import publish
from portfolio.health.models import HealthRequest

# The registered name of `portfolio.health.tasks.recompute_health`, owned here, so that
# requests can be published without importing the tasks module (which imports the roll-up).
RECOMPUTE_TASK = "health.recompute"

# A programme's or portfolio's coalescing window (seconds). Its first request runs at once
# (the leading edge: a lone submit reaches the dashboard without waiting); requests within
# the window after that wait it out and run once together (the trailing edge), so a burst
# of project jobs recomputes its programme once at once and once per window after.
COALESCE_SECONDS = {"project": 0.0, "programme": 1.0, "portfolio": 0.5}
# A request older than this whose job never ran (or died) is sent again by the sweep.
SWEEP_AFTER = timedelta(seconds=30)

# The name of `portfolio.health.tasks.recompute_pending_health`: one job for a large batch.
RECOMPUTE_PENDING_TASK = "health.recompute_pending"
# More new requests than this in one transaction (an import) go to one batch job.
BATCH_ABOVE = 50

_TABLE = HealthRequest._meta.db_table
# One statement for a whole batch on PostgreSQL; row by row elsewhere (the SQLite quick start,
# where writers queue for the database lock anyway).
_UPSERT_MANY = f"""
    INSERT INTO {_TABLE} (subject, subject_id, requested_at, generation)
    SELECT subject, subject_id, %s, 1 FROM unnest(%s::varchar[], %s::bigint[])
        AS requested(subject, subject_id) ORDER BY subject, subject_id
    ON CONFLICT (subject, subject_id) DO UPDATE SET generation = {_TABLE}.generation + 1
    RETURNING subject, subject_id, generation
"""
_UPSERT_ONE = f"""
    INSERT INTO {_TABLE} (subject, subject_id, requested_at, generation) VALUES (%s, %s, %s, 1)
    ON CONFLICT (subject, subject_id) DO UPDATE SET generation = {_TABLE}.generation + 1
    RETURNING subject, subject_id, generation
"""


def _upsert(subjects: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
    now = timezone.now()
    subjects = sorted(set(subjects))  # one lock order for every writer (and no row twice)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            kinds, ids = [kind for kind, _ in subjects], [pk for _, pk in subjects]
            cursor.execute(_UPSERT_MANY, [now, kinds, ids])
            return list(cursor.fetchall())
        rows = []
        for kind, pk in subjects:
            cursor.execute(_UPSERT_ONE, [kind, pk, now])
            rows += cursor.fetchall()
        return rows


def health_request(*, subject: str, subject_id: int) -> None:
    """Ask for a recomputation of the subject once the caller's transaction commits."""
    health_request_many([(subject, subject_id)])


def health_request_many(subjects: list[tuple[str, int]]) -> None:
    """Ask for a recomputation of each (subject, id) once the caller's transaction commits,
    in one statement.

    Coalesced: while a mark is pending, another request only moves its generation (the
    pending job reads the newest rows, or runs again if it had already read them). New
    marks publish a job each, or one batch job when there are many (an import)."""
    if not subjects:
        return
    new = [(kind, pk) for kind, pk, generation in _upsert(subjects) if generation == 1]
    _shown_waiting(new)
    if len(new) > BATCH_ABOVE:
        transaction.on_commit(lambda: publish(RECOMPUTE_PENDING_TASK))
    else:
        for kind, pk in new:
            transaction.on_commit(partial(_send_health_job, kind, pk))


def health_begin(*, subject: str, subject_id: int) -> int | None:
    """The generation of the subject's pending mark, or None when there is nothing to do
    (another job finished it first)."""
    return (
        HealthRequest.objects.filter(subject=subject, subject_id=subject_id)
        .values_list("generation", flat=True)
        .first()
    )


def health_done(*, subject: str, subject_id: int, generation: int) -> None:
    """Once the result is stored: remove the mark if no request came since `health_begin`;
    otherwise send the job again after commit.

    A request made concurrently holds the mark's row lock until it commits; the DELETE
    waits for it and then sees the new generation, so no request is ever lost."""
    deleted, _ = HealthRequest.objects.filter(
        subject=subject, subject_id=subject_id, generation=generation
    ).delete()
    if deleted:
        _shown_waiting([(subject, subject_id)])
    still_pending = HealthRequest.objects.filter(subject=subject, subject_id=subject_id)
    if not deleted and still_pending.exists():
        transaction.on_commit(lambda: _send_health_job(subject, subject_id, trailing=True))


def health_pending_generations(subject: str) -> dict[int, int]:
    """Every pending mark of one kind of subject: id -> generation (for a batch job)."""
    return dict(
        HealthRequest.objects.filter(subject=subject).values_list("subject_id", "generation")
    )


def health_done_many(*, subject: str, generations: dict[int, int]) -> None:
    """`health_done` for a batch, in one statement: marks whose generation moved stay, and
    are sent again after commit."""
    if connection.vendor != "postgresql":
        for subject_id, generation in generations.items():
            health_done(subject=subject, subject_id=subject_id, generation=generation)
        return
    ids, numbers = list(generations), list(generations.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""DELETE FROM {_TABLE} AS mark
                USING unnest(%s::bigint[], %s::integer[]) AS done(subject_id, generation)
                WHERE mark.subject = %s AND mark.subject_id = done.subject_id
                  AND mark.generation = done.generation
                RETURNING mark.subject_id""",
            [ids, numbers, subject],
        )
        deleted = {row[0] for row in cursor.fetchall()}
    _shown_waiting([(subject, pk) for pk in deleted])
    moved = HealthRequest.objects.filter(
        subject=subject, subject_id__in=[pk for pk in ids if pk not in deleted]
    ).values_list("subject_id", flat=True)
    for subject_id in moved:
        transaction.on_commit(partial(_send_health_job, subject, subject_id, trailing=True))


def _shown_waiting(subjects: list[tuple[str, int]]) -> None:
    """A subject's page says "recomputing…" while its mark is pending: a mark that comes or
    goes moves the subject's own page-cache scope (not its parents': no other page shows
    it)."""
    pagecache.scopes_changed(pagecache.scope(kind, pk) for kind, pk in subjects)


def health_sweep(*, now: datetime | None = None) -> int:
    """Send again the requests whose jobs never ran or died; returns how many were sent."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    sent = 0
    for request in HealthRequest.objects.filter(requested_at__lt=cutoff):
        if _send_health_job(request.subject, request.subject_id):
            HealthRequest.objects.filter(pk=request.pk).update(requested_at=timezone.now())
            sent += 1
    return sent


def health_pending(subjects: dict[str, list[int]]) -> int:
    """How many of these subjects still wait for a recomputation."""
    pending = 0
    for subject, ids in subjects.items():
        pending += HealthRequest.objects.filter(subject=subject, subject_id__in=ids).count()
    return pending


def _send_health_job(subject: str, subject_id: int, *, trailing: bool = False) -> bool:
    countdown = COALESCE_SECONDS[subject] if trailing else coalescing_delay(subject, subject_id)
    return publish(RECOMPUTE_TASK, subject, subject_id, countdown=countdown)


def coalescing_delay(subject: str, subject_id: int) -> float:
    """0 for the first job of a quiet subject (the leading edge); its window for any other
    within the window. The mark is shared through the cache (Redis), since web processes
    and workers both send jobs; without the cache every job waits out the window."""
    window = COALESCE_SECONDS[subject]
    if not window:
        return 0.0
    key = f"health:leading:{subject}:{subject_id}"
    try:
        quiet = cache.add(key, 1, timeout=math.ceil(window))
    except Exception:  # a cache outage costs only the window's latency
        quiet = False
    return 0.0 if quiet else window
