"""How a run treats tests that cannot run here (loaded by pytest.ini: `-p tests.run_policy`).

- A test that only makes sense on one database says so with a marker, `postgres` or `sqlite`;
  on the other database it is deselected, not skipped, and the summary says how many and why.
- Nothing else may skip: a missing tool or browser is a failure (`make test` installs them first,
  scripts/system-packages.sh). A skipped test, from whatever cause, fails the run.
"""

import pytest

DATABASE_MARKERS = {
    "postgres": ("postgresql", "PostgreSQL"),
    "sqlite": ("sqlite", "SQLite"),
}
NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}

_deselected = {}  # marker -> count
_skipped = []  # (nodeid, reason)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # pytest-django has configured Django before collection; no connection is opened here.
    from django.db import connection

    keep, dropped = [], []
    for item in items:
        wrong = [
            name for name, (vendor, _) in DATABASE_MARKERS.items()
            if item.get_closest_marker(name) and connection.vendor != vendor
        ]
        if wrong:
            dropped.append(item)
            _deselected[wrong[0]] = _deselected.get(wrong[0], 0) + 1
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_runtest_logreport(report):
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append((report.nodeid, reason))


def pytest_terminal_summary(terminalreporter):
    from django.db import connection

    here = NAMES.get(connection.vendor, connection.vendor)
    for marker, count in sorted(_deselected.items()):
        needs = DATABASE_MARKERS[marker][1]
        terminalreporter.write_line(
            f"deselected {count} test(s) marked `{marker}`: they need {needs}, this run is on {here}"
        )
    if _skipped:
        terminalreporter.section("skipped tests fail the run", red=True)
        for nodeid, reason in _skipped:
            terminalreporter.write_line(f"SKIPPED {nodeid}: {reason}", red=True)
        terminalreporter.write_line(
            "A test that cannot run here must fail, or carry the `postgres`/`sqlite` marker (tests/run_policy.py).",
            red=True,
        )


def pytest_sessionfinish(session, exitstatus):
    if _skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
