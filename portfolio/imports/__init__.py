"""The spreadsheet importer: portfolios, programmes and projects from a CSV or XLSX file.

One module per stage, each a set of plain functions shared by the pages, the Celery task
and the tests, each handing its result to the next:

1. `reading`: bytes -> a header and rows of text, or `FileProblem` saying why not; the
   encoding, delimiter, sheet and header row detected, or as the PMO overrode them.
2. `columns`: which column(s) of the file feed which field (the mapping); `options`: how
   the file is read (`ReadingOptions`) and how rows are matched and recorded
   (`ImportOptions`), both saved with the mapping; `downloads` gives the mapping as the
   JSON document scripts and the API send back.
3. `cleaning`: each row -> a typed `ImportRow`, or `RowIssue`s naming row, field, column,
   value and reason; `values` reads dates, money and placeholder words by the options;
   `details` the rest of the row (people, stage, a return's ratings via `ratings`).
4. `planning`: the rows against each other and the database: what is created, updated or
   left alone, and the conflicts. This is the dry run the preview shows; it writes nothing.
5. `services`: the job's life, and `apply_plan`, which writes a plan in one transaction so
   that an import is saved entirely or not at all; `progress` reports on it as it runs.
"""
