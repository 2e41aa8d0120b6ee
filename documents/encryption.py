"""Encryption of case documents at rest (envelope encryption).

Each file is encrypted with a key of its own (256-bit AES-GCM, a random 96-bit nonce), and that
key is stored in the database *wrapped* (AES-GCM again) with a key-encryption key from the
environment, LOTSA_DOCUMENT_KEY. Whoever has the stored files without the database and the
environment's key reads nothing; whoever has the database alone has only wrapped keys.

LOTSA_DOCUMENT_KEY holds one key or several, separated by commas, the current one first. Each
is the base64 of 32 random bytes, optionally preceded by an id and a colon (`2027:q1Zk…`);
without an id, the id is the first 8 hex digits of the key's SHA-256. New files are wrapped
with the first key; a file wrapped with any listed key can be read. Rotation: put a new key
first, keep the old ones after it, run `manage.py documents_rewrap` (which wraps every file's key
with the first key again, without touching the files), then remove the old keys.

Both the stored object and the wrapped key are bound to the document's storage name (as
associated data): a file or a key copied onto another document does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The stored object: MAGIC, the nonce, then the ciphertext with its 16-byte tag.
MAGIC = b"LOTSADOC1"
NONCE_BYTES = 12
KEY_BYTES = 32


class DocumentDecryptionError(Exception):
    """The file cannot be decrypted: its wrapping key is not configured, or the key, the file or
    its wrapped key is wrong or damaged."""


@dataclass(frozen=True)
class KeyEncryptionKey:
    id: str
    key: bytes


def parse_keys(values: list[str]) -> list[KeyEncryptionKey]:
    """The keys of LOTSA_DOCUMENT_KEY, current first; ImproperlyConfigured for a malformed one."""
    keys: list[KeyEncryptionKey] = []
    for value in values:
        key_id, _sep, encoded = value.rpartition(":")
        try:
            key = base64.urlsafe_b64decode(encoded.strip().encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                "Every key in LOTSA_DOCUMENT_KEY must be the base64 of 32 random bytes, "
                "optionally preceded by an id and a colon (id:key)."
            )
        key_id = key_id.strip() or hashlib.sha256(key).hexdigest()[:8]
        if len(key_id) > 40 or any(existing.id == key_id for existing in keys):
            raise ImproperlyConfigured(
                f"LOTSA_DOCUMENT_KEY: the key id {key_id[:40]!r} is too long (over 40 "
                "characters) or given twice."
            )
        keys.append(KeyEncryptionKey(id=key_id, key=key))
    if not keys:
        raise ImproperlyConfigured("LOTSA_DOCUMENT_KEY holds no key.")
    return keys


@cache
def _configured(values: tuple[str, ...]) -> list[KeyEncryptionKey]:
    return parse_keys(list(values))


def configured_keys() -> list[KeyEncryptionKey]:
    """The keys of the settings (parsed once per value), current first."""
    return _configured(tuple(settings.LOTSA_DOCUMENT_KEY))


def current_key() -> KeyEncryptionKey:
    return configured_keys()[0]


def _associated_data(kind: bytes, name: str) -> bytes:
    return b"lotsa-document/" + kind + b"/" + name.encode("utf-8")


@dataclass(frozen=True)
class Encrypted:
    """A file ready to store: the object's bytes and the wrapped key to keep in the database."""

    blob: bytes
    key_id: str
    wrapped_key: bytes


def encrypt(plaintext: bytes, *, name: str) -> Encrypted:
    """Encrypt `plaintext` with a new key of its own, wrapped with the current key."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    blob = (
        MAGIC + nonce + AESGCM(data_key).encrypt(nonce, plaintext, _associated_data(b"file", name))
    )
    kek = current_key()
    return Encrypted(blob=blob, key_id=kek.id, wrapped_key=wrap(data_key, kek=kek, name=name))


def wrap(data_key: bytes, *, kek: KeyEncryptionKey, name: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek.key).encrypt(nonce, data_key, _associated_data(b"key", name))


def unwrap(wrapped_key: bytes, *, key_id: str, name: str) -> bytes:
    """The file's own key; DocumentDecryptionError if its wrapping key is not configured."""
    kek = next((key for key in configured_keys() if key.id == key_id), None)
    if kek is None:
        raise DocumentDecryptionError(f"key {key_id!r} is not in LOTSA_DOCUMENT_KEY")
    nonce, sealed = wrapped_key[:NONCE_BYTES], wrapped_key[NONCE_BYTES:]
    try:
        return AESGCM(kek.key).decrypt(nonce, sealed, _associated_data(b"key", name))
    except (InvalidTag, ValueError) as error:
        raise DocumentDecryptionError(f"the key wrapped with {key_id!r} does not unwrap") from error


def decrypt(blob: bytes, *, name: str, key_id: str, wrapped_key: bytes) -> bytes:
    """The plaintext of a stored object; DocumentDecryptionError for any wrong key or damage."""
    data_key = unwrap(wrapped_key, key_id=key_id, name=name)
    if not blob.startswith(MAGIC):
        raise DocumentDecryptionError("not an encrypted Lotsa document")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    sealed = blob[len(MAGIC) + NONCE_BYTES :]
    try:
        return AESGCM(data_key).decrypt(nonce, sealed, _associated_data(b"file", name))
    except (InvalidTag, ValueError) as error:
        raise DocumentDecryptionError("the file does not decrypt (damaged or replaced)") from error


def rewrap(wrapped_key: bytes, *, key_id: str, name: str) -> tuple[str, bytes]:
    """The file's key wrapped with the current key instead: (new key id, new wrapped key)."""
    kek = current_key()
    return kek.id, wrap(unwrap(wrapped_key, key_id=key_id, name=name), kek=kek, name=name)
