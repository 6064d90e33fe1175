"""Role permissions of the training app (collected by accounts.roles into the role groups).

Kinds of objects only; which runs a user may touch is decided by CourseRun.objects
visible_to(user) / editable_by(user): provider staff only their provider's runs, a county
official only (read-only) the runs in their county.
"""

_MANAGED = ["courserun", "session"]
_READ_ONLY = ["enrollment", "attendance", "trainingrecord"]

ROLE_PERMISSIONS = {
    "provider": [
        *(f"training.{action}_{model}" for model in _MANAGED for action in ("add", "change", "delete", "view")),
        *(f"training.view_{model}" for model in _READ_ONLY),
    ],
    "county": [f"training.view_{model}" for model in _MANAGED + _READ_ONLY],
    "commission": [
        *(f"training.{action}_{model}" for model in _MANAGED for action in ("add", "change", "view")),
        *(f"training.view_{model}" for model in _READ_ONLY),
    ],
}
