"""Who may do what: every page, write and API route against every role of the cast."""
