"""Cirrus's own SSH key: the identity every automation run uses to reach hosts.

The private key lives at $CIRRUS_HOME/ssh/id_ed25519 (mode 0600), created on first use;
operators (and the lab) authorize `public_key()` on each host's root account.
"""

from __future__ import annotations

import os
import threading

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY_NAME = "id_ed25519"
_lock = threading.Lock()


def _home() -> str:
    from appliance.app import cirrus_home

    return cirrus_home()


def key_dir(home: str | None = None) -> str:
    return os.path.join(home or _home(), "ssh")


def private_key_path(home: str | None = None) -> str:
    """The private key's path, generating the pair if it does not exist yet."""
    path = os.path.join(key_dir(home), KEY_NAME)
    with _lock:
        if not os.path.exists(path):
            _generate(path)
    return path


def public_key(home: str | None = None) -> str:
    """The OpenSSH public key line (`ssh-ed25519 AAAA... cirrus@<host>`)."""
    return _public_line(private_key_path(home))


def _public_line(path: str) -> str:
    import socket

    with open(path, "rb") as handle:
        key = serialization.load_ssh_private_key(handle.read(), password=None)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH)
    return f"{public.decode()} cirrus@{socket.gethostname()}"


def _generate(path: str) -> None:
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption())
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private)
    try:
        os.link(tmp, path)  # atomic; fails when another process created the key first
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    with open(path + ".pub", "w") as handle:
        handle.write(_public_line(path) + "\n")
