#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: volume
short_description: Manages data volumes
description:
  - Creates data volumes from a disk offering or a snapshot, resizes them, attaches them
    to virtual machines, detaches and deletes them (C(createVolume), C(resizeVolume),
    C(attachVolume), C(detachVolume), C(deleteVolume)).
  - A volume is found by O(name) in its zone and owner. Its disk is made on its first
    attach, next to the machine.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the volume.
    type: str
    required: true
  zone:
    description: Name or id of the zone of the volume.
    type: str
    required: true
  disk_offering:
    description:
      - Name or id of the disk offering; needed to create the volume unless O(snapshot) is
        set. A different one resizes the volume to it.
    type: str
  size:
    description:
      - Size in GB, for customized disk offerings; a different one resizes the volume
        (smaller only with O(shrink_ok)).
    type: int
  snapshot:
    description: Name or id of a snapshot the volume is created from.
    type: str
  shrink_ok:
    description: Whether a resize may make the volume smaller (the data beyond is lost).
    type: bool
    default: false
  vm:
    description:
      - Name or id of the virtual machine the volume is attached to with
        O(state=attached).
    type: str
  device_id:
    description: Device id of the volume on the machine with O(state=attached); the next free one when not set.
    type: int
  force:
    description: Whether V(absent) detaches an attached volume before deleting it.
    type: bool
    default: false
  state:
    description:
      - V(attached) makes the volume present and attached to O(vm) (detaching it from
        another machine first); V(detached) makes it present and attached to none.
    type: str
    choices: [present, absent, attached, detached]
    default: present
  account:
    description: Account the volume belongs to (with O(domain)); the caller's own when not set.
    type: str
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain of O(account); V(ROOT) when only
      O(account) is set.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: A data disk for the database
  cirrus.cloud.volume:
    name: db-data
    zone: zone-1
    disk_offering: custom
    size: 50
    vm: db-1
    state: attached

- name: Grown
  cirrus.cloud.volume:
    name: db-data
    zone: zone-1
    size: 80

- name: Gone, detached first
  cirrus.cloud.volume:
    name: db-data
    zone: zone-1
    state: absent
    force: true
"""

RETURN = r"""
id:
  description: Id of the volume.
  returned: success
  type: str
name:
  description: Name of the volume.
  returned: success
  type: str
  sample: db-data
zone:
  description: Name of the zone of the volume.
  returned: success
  type: str
zone_id:
  description: Id of the zone of the volume.
  returned: success
  type: str
type:
  description: "Type of the volume: ROOT or DATADISK."
  returned: success
  type: str
  sample: DATADISK
device_id:
  description: Device id of the volume on its machine.
  returned: success
  type: int
vm:
  description: Name of the machine the volume is attached to.
  returned: success
  type: str
vm_id:
  description: Id of the machine the volume is attached to.
  returned: success
  type: str
vm_state:
  description: State of that machine.
  returned: success
  type: str
size:
  description: Size of the volume in bytes.
  returned: success
  type: int
  sample: 2147483648
created:
  description: When the volume was created.
  returned: success
  type: str
attached:
  description: When the volume was attached.
  returned: success
  type: str
volume_state:
  description: "State of the volume: Allocated (no disk yet), Ready, ..."
  returned: success
  type: str
  sample: Ready
account:
  description: Account of the volume.
  returned: success
  type: str
domain:
  description: Domain of the volume.
  returned: success
  type: str
domain_id:
  description: Id of the domain of the volume.
  returned: success
  type: str
disk_offering:
  description: Name of the disk offering of the volume.
  returned: success
  type: str
disk_offering_id:
  description: Id of the disk offering of the volume.
  returned: success
  type: str
storage:
  description: Name of the storage pool of the volume's disk.
  returned: success
  type: str
storage_id:
  description: Id of that pool.
  returned: success
  type: str
hypervisor:
  description: Hypervisor of the volume's disk.
  returned: success
  type: str
snapshot_id:
  description: Id of the snapshot the volume was created from.
  returned: success
  type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    first,
    text,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import VOLUME

GIB = 1024**3


class Volume(ResourceModule):
    noun = "volume"
    key = "volume"
    list_command = "listVolumes"
    create_command = "createVolume"
    update_command = "resizeVolume"
    delete_command = "deleteVolume"
    tenant = True
    options = {
        "name": {"type": "str", "required": True},
        "zone": {"type": "str", "required": True},
        "disk_offering": {"type": "str"},
        "size": {"type": "int"},
        "snapshot": {"type": "str"},
        "shrink_ok": {"type": "bool", "default": False},
        "vm": {"type": "str"},
        "device_id": {"type": "int"},
        "force": {"type": "bool", "default": False},
        "state": {"type": "str", "default": "present",
                  "choices": ["present", "absent", "attached", "detached"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    required_if = [["state", "attached", ["vm"]]]
    fields = (
        Field("name", "name", mutable=False),
        Field("zone", "zoneid", ref="zone", mutable=False),
        Field("disk_offering", "diskofferingid", ref="disk_offering"),
        Field("size", "size"),
        Field("snapshot", "snapshotid", ref="snapshot", mutable=False),
        Field("account", "account", mutable=False, compare=False),
        Field("domain", "domainid", ref="domain", mutable=False, compare=False),
    )
    returns = VOLUME

    def get(self):
        absent = self.params["state"] == "absent"
        zone_id = self.ref_id("zone", missing_ok=absent)
        owner = self.owner(missing_ok=absent)
        if zone_id is None or owner is None:
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name}, name=name,
                         zoneid=zone_id, **owner)

    def same(self, field, actual, wanted):
        if field.option == "size":
            return text(actual) == text(int(wanted) * GIB)
        return super().same(field, actual, wanted)

    def shown(self, field, api_value):
        if field.option == "size" and api_value is not None and int(api_value) >= GIB:
            return int(api_value) // GIB
        return super().shown(field, api_value)

    def create_defaults(self):
        return dict(self.owner())

    def create(self, wanted):
        if not self.params["disk_offering"] and not self.params["snapshot"]:
            self.fail(f"volume {self.title(None)} does not exist; creating it needs "
                      "disk_offering or snapshot")
        return super().create(wanted)

    def update(self, current, changes):
        changes = {key: value for key, value in changes.items() if key != "snapshotid"}
        if self.params["shrink_ok"]:
            changes["shrinkok"] = True
        return super().update(current, changes)

    def ensure_state(self, current, state):
        if current is None or state not in ("attached", "detached"):
            return current
        attached_to = current.get("virtualmachineid")
        vm_id = self.ref_id("vm") if state == "attached" else None
        device = self.params["device_id"]
        if attached_to == vm_id and (vm_id is None or device is None
                                     or text(current.get("deviceid")) == text(device)):
            return current
        before = {"vm": current.get("vmname") or current.get("virtualmachineid")}
        after = {"vm": self.params["vm"] if vm_id else None}
        self.changed(before, after)
        if self.module.check_mode or "id" not in current:
            return dict(current, virtualmachineid=vm_id)
        if attached_to:
            current = first(self.client.call("detachVolume", id=current["id"]),
                            self.key) or current
        if vm_id:
            current = first(self.client.call("attachVolume", id=current["id"],
                                             virtualmachineid=vm_id, deviceid=device),
                            self.key) or current
        return current

    def remove(self, current):
        attached = current.get("virtualmachineid")
        if attached and not self.params["force"]:
            self.fail(f"volume {self.title(current)} is attached to virtual machine "
                      f"{current.get('vmname') or attached}; detach it first or set "
                      "force=true")
        if attached and not self.module.check_mode:
            self.client.call("detachVolume", id=current["id"])
        super().remove(current)


def main():
    Volume.main()


if __name__ == "__main__":
    main()
