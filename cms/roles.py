"""Role permissions of the parents' site (collected by accounts.roles into the role groups).

Editors write the content (pages are granted by accounts.roles on the page tree) and keep
the expert pool; the commission and county officials read survey responses (a county's
figures are also on the dashboard). Class sign-up lists are front-office views scoped by
ParentClassPage.objects.managed_by(user), not admin permissions.
"""

ROLE_PERMISSIONS = {
    "editor": [
        *(f"cms.{action}_expert" for action in ("add", "change", "delete", "view")),
        *(f"cms.{action}_topic" for action in ("add", "change", "view")),
        "cms.view_ageband",
        "cms.change_ageband",
    ],
    "commission": ["cms.view_surveyresponse", "cms.view_expert"],
}
