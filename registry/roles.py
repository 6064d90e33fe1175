"""Role permissions of the registry (collected by accounts.roles into the role groups).

These say which kinds of registry objects a role may touch in the back office; the rows are
limited by the models' `visible_to(user)` / `editable_by(user)` querysets (a county official
only their county, provider staff only their own provider).
"""

_MODELS = ["institution", "trainingprovider", "person", "employment"]

ROLE_PERMISSIONS = {
    "commission": [f"registry.{action}_{model}" for model in _MODELS for action in ("add", "change", "delete", "view")],
    "county": [
        *(f"registry.{action}_{model}" for model in ("institution", "person", "employment") for action in ("add", "change", "view")),
        "registry.view_trainingprovider",
    ],
    "provider": ["registry.view_trainingprovider", "registry.change_trainingprovider"],
}
