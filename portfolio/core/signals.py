"""Signals a lower layer sends so that an upper layer can act without being imported by it."""

from django.dispatch import Signal

# Sent inside the writing transaction when rows that health is computed from have changed.
# Keyword arguments (each an iterable of ids, any may be left out): `projects`,
# `programmes`, `portfolios`. The health engine (`portfolio.health.receivers`) answers with
# a coalesced recomputation of each subject once the transaction commits.
health_inputs_changed = Signal()
