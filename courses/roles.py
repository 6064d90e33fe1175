"""Role permissions of the courses app (collected by accounts.roles into the role groups).

Course pages are Wagtail pages: editors get to write them through the page permissions that
accounts.roles grants on the page tree, not through model permissions, so this app adds none.
"""

ROLE_PERMISSIONS = {}
