"""Role permissions of the registry (collected by accounts.roles into the role groups).

These say which kinds of registry objects a role may touch in the back office; the rows are
limited by the models' `visible_to(user)` / `editable_by(user)` querysets (a county official
only their county, provider staff only their own provider).
"""


def _perms(models, actions):
    return [f"registry.{action}_{model}" for model in models for action in actions]


ROLE_PERMISSIONS = {
    "commission": _perms(["institution", "trainingprovider", "person", "employment"],
                         ["add", "change", "delete", "view"]),
    "county": [
        *_perms(["institution", "person", "employment"], ["add", "change", "view"]),
        "registry.view_trainingprovider",
    ],
    "provider": _perms(["trainingprovider"], ["change", "view"]),
}
