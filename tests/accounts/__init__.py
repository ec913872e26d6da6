"""portfolio/accounts: signing in, API tokens and their pages."""
