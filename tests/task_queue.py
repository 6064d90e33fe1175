"""A task queue that only records what a web request leaves for the worker, and a stand-in
worker that runs the queued tasks of one app (Wagtail queues its index updates too)."""

import pytest
from django_tasks import task_backends

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queue(settings):
    settings.TASKS = DUMMY
    backend = task_backends["default"]
    backend.clear()
    return backend


def queued(backend, module):
    """What `module` (e.g. "certification.tasks") has queued, in order."""
    return [r for r in backend.results if r.task.module_path.startswith(module + ".")]


def run_queued(backend, module):
    """Be the worker for `module`'s tasks: run each queued one once, in order; return their values."""
    pending = queued(backend, module)
    backend.clear()
    return [r.task.call(*r.args, **r.kwargs) for r in pending]
