"""portfolio/demo: the demo organisation."""
