"""The `lab_hosts` fixture: the one-box lab (lab/), brought up once per test session.

Use it from a conftest.py: `from tests.support.lab import lab_hosts  # noqa: F401`.

Several test sessions may share one lab (engineers run suites side by side): each session
holds a lease (a file named by its pid) while it runs; the lab is brought down by the last
session to leave, and only when a test session (not a person, `cirrus lab up`) brought it up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

import lab
from lab import control, topology

LEASES = topology.LEASE_DIR
SESSION_OWNED = topology.SESSION_OWNED_FILE
TOOLS = ("ip", "nsenter", "unshare", "libvirtd", "virtlogd", "virsh", "ssh", "ssh-keygen")


def unavailable() -> str | None:
    """Why this machine cannot run the lab, or None when it can."""
    if os.geteuid() != 0:
        return "the lab needs root (network namespaces, bridges, libvirtd); run pytest as root"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not os.path.exists("/usr/sbin/sshd"):
        missing.append("sshd")
    if missing:
        return (f"the lab needs {', '.join(missing)}: apt-get install libvirt-daemon "
                "libvirt-daemon-driver-qemu libvirt-daemon-driver-lxc libvirt-clients "
                "openssh-server iproute2 (scripts/setup)")
    try:
        import libvirt  # noqa: F401
    except ImportError:
        return "libvirt-python is not installed in this environment (pip install -e .)"
    probe = subprocess.run(["unshare", "--net", "--mount", "true"], capture_output=True,
                           text=True)
    if probe.returncode != 0:
        return f"this machine cannot create network/mount namespaces: {probe.stderr.strip()}"
    return None


@pytest.fixture(scope="session")
def lab_hosts() -> Iterator[lab.Lab]:
    """The running lab (two hosts at least), shared by every test of the session."""
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    lease = os.path.join(LEASES, str(os.getpid()))
    with control.locked():
        recorded = lab.status().recorded
        if not recorded:
            with open(SESSION_OWNED, "w") as handle:
                handle.write(f"{os.getpid()}\n")
        os.makedirs(LEASES, exist_ok=True)
        with open(lease, "w") as handle:
            handle.write("pytest\n")
    try:
        the_lab = lab.up(hosts=2)
    except lab.LabError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lease)
        pytest.fail(f"cirrus lab up failed: {exc}")
    yield the_lab
    with control.locked():
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lease)
        last_out = not [pid for pid in control.live_leases() if pid != os.getpid()]
        bring_down = last_out and os.path.exists(SESSION_OWNED)
    if bring_down:
        # Refused when another session took a lease meanwhile: it brings the lab down.
        with contextlib.suppress(lab.LabError):
            lab.down()
