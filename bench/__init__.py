"""The benchmark of issue 5 (`make bench`): see bench/README.md."""
