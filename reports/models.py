# Report jobs and PDF rendering arrive with the reports issue.
