"""Print the running lab's hosts as the YAML inventory the roles' molecule scenarios use."""

from __future__ import annotations

import sys
from typing import Any

import yaml


def lab_inventory(hosts: list[Any]) -> dict[str, Any]:
    """Inventory for lab hosts (lab.hosts.LabHost values): SSH as root with the lab key."""
    from lab.control import Lab

    inventory = Lab(hosts=list(hosts)).ansible_inventory(group="lab_hosts")
    for variables in inventory["lab_hosts"]["hosts"].values():
        # The SSH session shares the host's mount namespace with its libvirtd.
        variables["cirrus_libvirt_uri"] = "qemu:///system"
    return inventory


def main() -> int:
    from lab import control

    lab = control.current()
    if lab is None:
        print("the lab is not up: run `cirrus lab up`", file=sys.stderr)
        return 1
    yaml.safe_dump(lab_inventory(lab.hosts), sys.stdout, sort_keys=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
