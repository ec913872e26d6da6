"""projects/: the delivery layer."""
