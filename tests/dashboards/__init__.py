"""portfolio/dashboards: the executive and programme dashboards."""
