"""The private file storage (STORAGES["private"]): files with personal data (import originals,
certificate scans and PDFs, monitoring reports) that are never served directly; downloads go
through views that check who is asking. In production it can point at an object store.

Lazy, so that settings (and tests that point STORAGES at a temporary folder) decide which
storage it is when a file is first touched, not when models are imported.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from . import pii


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


class EncryptedStorage(Storage):
    """The private storage, with every file encrypted at rest under the PII key (core.pii).

    Saving encrypts, opening decrypts, so FieldFile.open() in a download view gives the
    original bytes while the disk or object store only ever holds ciphertext. The whole file
    is held in memory while it is (de)crypted: fine for the files it is used for (import
    originals up to IMPORT_MAX_BYTES, certificate scans up to CERT_SCAN_MAX_BYTES).
    There is deliberately no path(): a path would let code read the ciphertext as the file.
    """

    def __init__(self, inner):
        self.inner = inner

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written with save(), not opened for writing")
        with self.inner.open(name, "rb") as stored:
            data = pii.decrypt_file(stored.read())
        return ContentFile(data, name=name)

    def save(self, name, content, max_length=None):
        if hasattr(content, "seek"):
            content.seek(0)
        data = b"".join(content.chunks()) if hasattr(content, "chunks") else content.read()
        return self.inner.save(name, ContentFile(pii.encrypt_file(data)), max_length=max_length)

    def _save(self, name, content):
        return self.save(name, content)

    def delete(self, name):
        return self.inner.delete(name)

    def exists(self, name):
        return self.inner.exists(name)

    def listdir(self, path):
        return self.inner.listdir(path)

    def size(self, name):
        return self.inner.size(name)  # of the ciphertext

    def url(self, name):
        return self.inner.url(name)

    def get_valid_name(self, name):
        return self.inner.get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return self.inner.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.inner.generate_filename(filename)

    def get_modified_time(self, name):
        return self.inner.get_modified_time(name)

    def get_created_time(self, name):
        return self.inner.get_created_time(name)

    def get_accessed_time(self, name):
        return self.inner.get_accessed_time(name)


_encrypted_private_storage = EncryptedStorage(_private_storage)


def encrypted_private_storage():
    return _encrypted_private_storage


def reencrypt_stored_file(name):
    """Rewrite the raw file `name` of the private storage encrypted under the first PII key
    (a clear file is encrypted, an encrypted one rotated). Returns the new name: the new
    file is written before the old one is deleted, so a crash never loses the file: the
    caller points its row at the new name, then calls delete_stored_file(old name)."""
    with _private_storage.open(name, "rb") as stored:
        blob = stored.read()
    return _private_storage.save(name, ContentFile(pii.rotate_file(blob)))


def delete_stored_file(name):
    _private_storage.delete(name)
