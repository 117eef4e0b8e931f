"""Password hashing (argon2id) and API key generation."""

from __future__ import annotations

import base64
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_api_key() -> str:
    """A URL-safe random key, 86 characters like CloudStack's."""
    return base64.urlsafe_b64encode(secrets.token_bytes(64)).decode().rstrip("=")


def new_password() -> str:
    return secrets.token_urlsafe(15)
