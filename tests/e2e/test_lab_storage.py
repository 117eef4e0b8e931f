"""Storage end to end on the one-box lab, through the API only (issue 6's must-show).

Two KVM clusters (QEMU-TCG guests, one on each lab host, each with its own primary
storage). The lab guests' disk agent reports on the serial console what the guest sees:
a new disk's marker sector either holds a marker (READ) or gets a new one (WROTE), a root
disk's marker is in its last sector (lab/images.py). So "the guest sees the disk" and "the
data came along" are read from the guests' own consoles.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cs import CloudStack

import lab
from lab import images
from tests.support.cloud import Cloud
from tests.support.image_server import ImageServer
from tests.support.lab_cloud import LabZone, add_zone
from tests.support.waiting import eventually

SERIAL_LOG_DIR = "/var/log/libvirt/qemu"
BOOT = 180  # seconds for a QEMU-TCG guest on 2 busy cores


@pytest.fixture(scope="module")
def zone(cloud: Cloud, lab_hosts: lab.Lab, files: ImageServer) -> Iterator[LabZone]:
    made = add_zone(cloud, lab_hosts, files, kinds=("kvm", "kvm2"))
    made.ids["disk"] = cloud.admin.createDiskOffering(
        name="lab-data", displaytext="64 MB data disk", customized=True,
        storagetype="shared")["diskoffering"]["id"]
    yield made
    shutil.rmtree(made.shared_dir, ignore_errors=True)


@dataclass
class Guest:
    """A QEMU guest of the test account and its serial console log."""

    id: str
    instance: str
    lab_host: lab.LabHost

    def console(self) -> str:
        path = self.lab_host.host_path(f"{SERIAL_LOG_DIR}/{self.instance}.serial.log")
        try:
            with open(path, errors="replace") as handle:
                return handle.read()
        except FileNotFoundError:
            return ""

    def wait_for(self, pattern: str, what: str, timeout: float = 90,
                 after: int = 0) -> re.Match[str]:
        """The first match of `pattern` on the console past offset `after`."""
        found: list[re.Match[str]] = []

        def seen() -> bool:
            match = re.compile(pattern).search(self.console(), after)
            if match:
                found.append(match)
            return match is not None

        eventually(seen, timeout, f"{what} on {self.instance}'s console")
        return found[0]

    def mark(self) -> int:
        return len(self.console())


@pytest.fixture(scope="module")
def tenant(cloud: Cloud, zone: LabZone) -> tuple[CloudStack, dict[str, Any]]:
    creds = cloud.new_account()
    return cloud.as_user(creds), creds.account


def deploy(cloud: Cloud, zone: LabZone, lab_hosts: lab.Lab, account: dict[str, Any],
           kind: str, name: str, template: str | None = None) -> Guest:
    """A Running guest of `account` on the lab host of cluster `kind`, booted."""
    vm = cloud.admin.deployVirtualMachine(
        zoneid=zone["zone"], serviceofferingid=zone["offering"],
        templateid=template or zone["kvm-template"], name=name,
        account=account["name"], domainid=account["domainid"],
        hostid=zone[f"{kind}-host"], fetch_result=True)["virtualmachine"]
    assert vm["state"] == "Running" and vm["hostid"] == zone[f"{kind}-host"]
    instance = cloud.admin.listVirtualMachines(id=vm["id"], listall=True)["virtualmachine"][0][
        "instancename"]
    lab_host = lab_hosts.hosts[1] if kind == "kvm" else lab_hosts.hosts[0]
    guest = Guest(vm["id"], instance, lab_host)
    guest.wait_for(images.MARKER, "the boot marker", BOOT)
    return guest


@pytest.fixture(scope="module")
def first(cloud: Cloud, zone: LabZone, lab_hosts: lab.Lab,
          tenant: tuple[CloudStack, dict[str, Any]]) -> Guest:
    """The tenant's guest on the first KVM cluster (both tests use it: QEMU boots are slow)."""
    return deploy(cloud, zone, lab_hosts, tenant[1], "kvm", "store-a")


def root_marker(guest: Guest) -> str:
    """The marker of the guest's root disk (written or read by the agent at boot)."""
    match = guest.wait_for(r"CIRRUS-DISK-(?:WROTE|READ) vda (\S+)", "the root disk marker")
    return match.group(1)


def test_a_data_volume_moves_between_guests_and_clusters_with_its_data(
        cloud: Cloud, zone: LabZone, lab_hosts: lab.Lab,
        tenant: tuple[CloudStack, dict[str, Any]], first: Guest) -> None:
    user, account = tenant
    second = deploy(cloud, zone, lab_hosts, account, "kvm2", "store-b")

    volume = user.createVolume(name="data-1", zoneid=zone["zone"],
                               diskofferingid=zone["disk"], size=1,
                               fetch_result=True)["volume"]
    assert volume["state"] == "Allocated"  # a row only until its first attach

    offset = first.mark()
    attached = user.attachVolume(id=volume["id"], virtualmachineid=first.id,
                                 fetch_result=True)["volume"]
    assert attached["virtualmachineid"] == first.id and attached["state"] == "Ready"
    wrote = first.wait_for(r"CIRRUS-DISK-WROTE (vd[b-z]) (\S+)", "the new disk", after=offset)
    device, data = wrote.group(1), wrote.group(2)
    pools = cloud.admin.listVolumes(id=volume["id"], listall=True)["volume"]
    assert pools[0]["storageid"] == zone["kvm-pool"]  # made nearest its first VM

    offset = first.mark()
    user.detachVolume(id=volume["id"], fetch_result=True)
    first.wait_for(rf"CIRRUS-DISK-GONE {device}\b", "the unplugged disk", after=offset)

    offset = second.mark()
    moved = user.attachVolume(id=volume["id"], virtualmachineid=second.id,
                              fetch_result=True)["volume"]
    assert moved["virtualmachineid"] == second.id
    second.wait_for(rf"CIRRUS-DISK-READ vd[b-z] {re.escape(data)}\b",
                    "the moved disk's data", after=offset)
    after = cloud.admin.listVolumes(id=volume["id"], listall=True)["volume"][0]
    assert after["storageid"] == zone["kvm2-pool"]  # copied to the other cluster's storage

    # A snapshot of the attached (running) volume, restored into a new volume, holds the
    # same data.
    snapshot = user.createSnapshot(volumeid=volume["id"], fetch_result=True)["snapshot"]
    assert snapshot["state"] == "BackedUp"
    restored = user.createVolume(name="data-restored", zoneid=zone["zone"],
                                 snapshotid=snapshot["id"], fetch_result=True)["volume"]
    offset = first.mark()
    user.attachVolume(id=restored["id"], virtualmachineid=first.id, fetch_result=True)
    first.wait_for(rf"CIRRUS-DISK-READ vd[b-z] {re.escape(data)}\b",
                   "the restored volume's data", after=offset)


def test_a_template_from_a_root_snapshot_boots_with_that_disk(
        cloud: Cloud, zone: LabZone, lab_hosts: lab.Lab,
        tenant: tuple[CloudStack, dict[str, Any]], first: Guest) -> None:
    user, account = tenant
    source = first  # its root disk is snapshotted while it runs
    marker = root_marker(source)
    root = user.listVolumes(virtualmachineid=source.id, type="ROOT")["volume"][0]
    snapshot = user.createSnapshot(volumeid=root["id"], fetch_result=True)["snapshot"]
    ostype = cloud.admin.listOsTypes(description="Other (64-bit)")["ostype"][0]["id"]
    template = user.createTemplate(name="from-root", displaytext="from a root snapshot",
                                   snapshotid=snapshot["id"], ostypeid=ostype,
                                   fetch_result=True)["template"]
    assert template["isready"] and not template["ispublic"]
    clone = deploy(cloud, zone, lab_hosts, account, "kvm2", "store-clone",
                   template=template["id"])
    assert root_marker(clone) == marker
