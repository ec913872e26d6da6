"""bench/: the benchmark's pieces at a tiny size."""
