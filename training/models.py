# Models arrive with their issue; the app exists now to fix the dependency direction.
