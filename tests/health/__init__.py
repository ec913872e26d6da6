"""portfolio/health: health records, the roll-up, requests and the worker."""
