"""Protection of personal data: encryption at rest, keyed hashes for look-up, masking.

身份证号 are stored encrypted (Fernet, keys from the environment) next to an HMAC of the
normalised value. The HMAC is what the database indexes and makes unique, so exact look-up
works without ever storing or comparing the clear number.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys):
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def encrypt(value):
    if value in (None, ""):
        return ""
    return _fernet(tuple(settings.PII_ENCRYPTION_KEYS)).encrypt(value.encode()).decode()


def decrypt(token):
    if not token:
        return ""
    try:
        return _fernet(tuple(settings.PII_ENCRYPTION_KEYS)).decrypt(token.encode()).decode()
    except InvalidToken:
        # A wrong key must not look like an empty value; fail loudly.
        raise ValueError("无法解密个人信息：加密密钥不匹配") from None


def lookup_hash(value):
    """Keyed hash of a normalised identifier, for unique indexes and exact look-up."""
    if not value:
        return ""
    return hmac.new(settings.PII_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def mask_id_number(number):
    """5303**********123X: first four and last four characters."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone):
    """138****5678."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name):
    """张*明 for three characters or more, 张* for two."""
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# --- Files --------------------------------------------------------------------------------
# Files holding personal data (import originals, certificate scans) are kept as one Fernet
# token behind this header, so a clear file left from before encryption is told apart.
FILE_HEADER = b"QJTY-PII-FERNET-1\n"


def is_encrypted_file(blob):
    return blob.startswith(FILE_HEADER)


def encrypt_file(data):
    """Bytes of a file → the bytes to store (header + token under the first key)."""
    return FILE_HEADER + _fernet(tuple(settings.PII_ENCRYPTION_KEYS)).encrypt(bytes(data))


def decrypt_file(blob):
    """Stored bytes → the original bytes. A file without the header is a clear file from
    before encryption (the data migration encrypts them) and is returned as it is."""
    if not is_encrypted_file(blob):
        return bytes(blob)
    try:
        return _fernet(tuple(settings.PII_ENCRYPTION_KEYS)).decrypt(blob[len(FILE_HEADER):])
    except InvalidToken:
        raise ValueError("无法解密文件：加密密钥不匹配") from None


def rotate_file(blob):
    """Stored bytes → the same content encrypted under the first key (clear files encrypted)."""
    if not is_encrypted_file(blob):
        return encrypt_file(blob)
    return FILE_HEADER + _fernet(tuple(settings.PII_ENCRYPTION_KEYS)).rotate(blob[len(FILE_HEADER):])


def rotate_token(token):
    """A stored text token (e.g. Person.id_number_encrypted) re-encrypted under the first key."""
    if not token:
        return token
    return _fernet(tuple(settings.PII_ENCRYPTION_KEYS)).rotate(token.encode()).decode()


# Text columns holding Fernet tokens, registered by the apps that own them (in their
# AppConfig.ready()), so manage.py rotate_pii_keys finds them without importing any app.
ENCRYPTED_COLUMNS = []


def register_encrypted_column(model, field_name):
    ENCRYPTED_COLUMNS.append((model, field_name))
