#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: snapshot
short_description: Manages volume snapshots
description:
  - Takes snapshots of volumes and deletes them (C(createSnapshot), C(deleteSnapshot)).
  - A snapshot is found by O(name) among the snapshots of its volume, so a snapshot is
    taken once per name; name each point in time you want to keep (for example after a
    date). Recurring snapshots are C(cirrus.cloud.snapshot_policy)'s.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the snapshot.
    type: str
    required: true
  volume:
    description: Name or id of the volume; or name the volume by O(vm).
    type: str
  vm:
    description: Name or id of the virtual machine whose volume is meant.
    type: str
    aliases: [instance]
  volume_type:
    description: Which volume of O(vm) is meant.
    type: str
    choices: [ROOT, DATADISK]
    default: ROOT
  device_id:
    description: Device id of the volume of O(vm), to tell its data disks apart.
    type: int
  state:
    description: Whether the snapshot is present or absent.
    type: str
    choices: [present, absent]
    default: present
  account:
    description: Account of the volume (with O(domain)); the caller's own when not set.
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
- name: The root disk of db-1 before the upgrade
  cirrus.cloud.snapshot:
    name: db-1-before-upgrade
    vm: db-1

- name: A data volume's
  cirrus.cloud.snapshot:
    name: "db-data-{{ '%Y%m%d' | strftime }}"
    volume: db-data
"""

RETURN = r"""
id:
  description: Id of the snapshot.
  returned: success
  type: str
name:
  description: Name of the snapshot.
  returned: success
  type: str
  sample: db-1-before-upgrade
account:
  description: Account of the snapshot.
  returned: success
  type: str
domain:
  description: Domain of the snapshot.
  returned: success
  type: str
domain_id:
  description: Id of the domain of the snapshot.
  returned: success
  type: str
snapshot_type:
  description: "How the snapshot was taken: MANUAL, or by a policy: HOURLY, DAILY, WEEKLY or MONTHLY."
  returned: success
  type: str
  sample: MANUAL
interval_type:
  description: Interval of the policy that took the snapshot, or MANUAL.
  returned: success
  type: str
volume:
  description: Name of the volume of the snapshot.
  returned: success
  type: str
volume_id:
  description: Id of the volume of the snapshot.
  returned: success
  type: str
volume_type:
  description: "Type of that volume: ROOT or DATADISK."
  returned: success
  type: str
created:
  description: When the snapshot was taken.
  returned: success
  type: str
snapshot_state:
  description: "State of the snapshot: BackedUp once it is on secondary storage."
  returned: success
  type: str
  sample: BackedUp
zone:
  description: Name of the zone of the snapshot.
  returned: success
  type: str
zone_id:
  description: Id of the zone of the snapshot.
  returned: success
  type: str
physical_size:
  description: Bytes the snapshot takes on secondary storage.
  returned: success
  type: int
virtual_size:
  description: Size of the volume when the snapshot was taken, in bytes.
  returned: success
  type: int
location_type:
  description: Where the snapshot is kept.
  returned: success
  type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import SNAPSHOT
from ansible_collections.cirrus.cloud.plugins.module_utils.volumes import (
    VOLUME_OPTIONS,
    volume_id,
)


class Snapshot(ResourceModule):
    noun = "snapshot"
    key = "snapshot"
    list_command = "listSnapshots"
    create_command = "createSnapshot"
    delete_command = "deleteSnapshot"
    tenant = True
    options = {
        "name": {"type": "str", "required": True},
        **VOLUME_OPTIONS,
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    required_one_of = [["volume", "vm"]]
    mutually_exclusive = [["volume", "vm"]]
    fields = (
        Field("volume", "volumeid", ref="volume", mutable=False, required=True),
        Field("name", "name", mutable=False),
        Field("account", "account", mutable=False, compare=False),
        Field("domain", "domainid", ref="domain", mutable=False, compare=False),
    )
    returns = SNAPSHOT

    def get(self):
        absent = self.params["state"] == "absent"
        self.volume_id = volume_id(self, missing_ok=absent)
        owner = self.owner(missing_ok=absent)
        if self.volume_id is None or owner is None:
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name}, name=name,
                         volumeid=self.volume_id, **owner)

    def wanted(self):
        out = super().wanted()
        out.pop(self.fields[0], None)  # the volume is what the snapshot is looked up in
        return out

    def create_defaults(self):
        return {"volumeid": self.volume_id}


def main():
    Snapshot.main()


if __name__ == "__main__":
    main()
