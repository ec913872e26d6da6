"""Signals a lower layer sends so that an upper layer can act without being imported by it."""

from django.dispatch import Signal

# Sent inside the writing transaction by writes that bypass model signals (QuerySet.update,
# bulk_create) when they change rows health is computed from. Keyword argument: `rows`, the
# model instances written. The health engine (`portfolio.health.inputs`) answers with a
# coalesced recomputation of every subject they affect once the transaction commits; saves
# and deletes of those models need no signal of their own (the engine listens to them).
health_inputs_changed = Signal()

# Sent by every page cache lookup (portfolio.core.pagecache.get). Keyword argument: `hit`,
# whether a body was found. Nothing listens in production; the benchmark (bench/) counts
# them into an X-Page-Cache response header, so its hit rates are those the pages had.
page_cache_lookup = Signal()

# Events people are told about (portfolio.notifications listens; the senders do not know it).
# Sent inside the writing transaction, so a notice is made only if the write commits.
# `item_escalated`: a project's risk or issue was escalated to its programme; kwarg `item`.
item_escalated = Signal()
# `status_report_submitted`: a weekly report became a record; kwarg `report`.
status_report_submitted = Signal()
# `reminder_sent`: a report reminder was emailed to a project's manager; kwarg `log`.
reminder_sent = Signal()
# `health_records_stored`: the roll-up stored new current health records (bulk_create sends
# no post_save); kwargs `rows`, the new records, and `previous`, the records they replaced
# by subject id (a subject with no earlier record is missing from it).
health_records_stored = Signal()
