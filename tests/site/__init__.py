"""The project package and the site as a whole: settings, migrations, the API and its
example client, every page rendering, and query counts that do not grow with the data."""
