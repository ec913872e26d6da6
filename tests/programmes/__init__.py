"""programmes/: the strategic layer."""
