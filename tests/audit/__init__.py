"""portfolio/audit: the history tab."""
