"""The private file storage (STORAGES["private"]): files with personal data (import originals,
certificate scans and PDFs, monitoring reports) that are never served directly; downloads go
through views that check who is asking. In production it can point at an object store.

Lazy, so that settings (and tests that point STORAGES at a temporary folder) decide which
storage it is when a file is first touched, not when models are imported.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["private"] if "private" in settings.STORAGES else storages["default"]


_private_storage = _PrivateStorage()


@receiver(setting_changed)
def _reset_private_storage(setting, **kwargs):
    # Tests point STORAGES["private"] at a temporary folder: look the storage up again.
    if setting == "STORAGES":
        _private_storage._wrapped = empty


def private_storage():
    return _private_storage
