"""Role permissions of monitoring (collected by accounts.roles into the role groups).

The commission manages targets and freezes snapshots; county officials may read targets.
Which figures each role sees on the dashboard is decided in monitoring/access.py.
"""

ROLE_PERMISSIONS = {
    "commission": [
        "monitoring.add_target",
        "monitoring.change_target",
        "monitoring.delete_target",
        "monitoring.view_target",
        "monitoring.add_snapshot",
        "monitoring.view_snapshot",
    ],
    "county": ["monitoring.view_target", "monitoring.view_snapshot"],
}
