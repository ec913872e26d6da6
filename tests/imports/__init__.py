"""portfolio/imports: the spreadsheet importer."""
