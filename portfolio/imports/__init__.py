"""The spreadsheet importer: portfolios, programmes and projects from a CSV or XLSX file.

One module per stage, each a set of plain functions shared by the pages, the Celery task
and the tests, each handing its result to the next:

1. `reading`: bytes -> a header and rows of text, or `FileProblem` saying why not.
2. `columns`: which column of the file feeds which field (the mapping).
3. `cleaning`: each row -> a typed `ImportRow`, or `RowIssue`s naming row, field, reason.
4. `planning`: the rows against each other and the database: what is created, updated or
   left alone, and the conflicts. This is the dry run the preview shows; it writes nothing.
5. `services`: the job's life, and `apply_plan`, which writes a plan in one transaction so
   that an import is saved entirely or not at all; `progress` reports on it as it runs.
"""
