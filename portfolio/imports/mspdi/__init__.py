"""Microsoft Project XML (MSPDI) import into one project: read the file (`reading`), plan
what it changes (`planning`, the preview), and commit the plan (`services`); the page
(`views`) and the API (`api`) share them."""
