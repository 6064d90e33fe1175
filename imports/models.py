# The import engine arrives with the import issue.
