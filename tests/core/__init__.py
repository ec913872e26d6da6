"""portfolio/core: the model-free rules and plumbing."""
