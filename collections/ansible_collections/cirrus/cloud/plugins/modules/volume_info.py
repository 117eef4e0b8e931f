#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: volume_info
short_description: Lists volumes the caller may see
description:
  - Lists volumes (C(listVolumes)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the volume.
    type: str
  zone:
    description: Name or id of the zone.
    type: str
  vm:
    description: Name or id of the virtual machine the volumes are attached to.
    type: str
  type:
    description: Type of the volumes.
    type: str
    choices: [ROOT, DATADISK]
  account:
    description: Account whose objects are listed (with O(domain)); every account the caller may see when not set.
    type: str
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain whose objects are listed.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: List them
  cirrus.cloud.volume_info:
    vm: db-1
  register: found
"""

RETURN = r"""
volumes:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import VOLUME


class VolumeInfo(InfoModule):
    list_command = "listVolumes"
    key = "volume"
    plural = "volumes"
    owned = True
    tenant = True
    options = {
        "name": {"type": "str"},
        "zone": {"type": "str"},
        "vm": {"type": "str"},
        "type": {"type": "str", "choices": ["ROOT", "DATADISK"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("zone", "zoneid", ref="zone"),
        Field("vm", "virtualmachineid", ref="vm"),
        Field("type", "type"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = VOLUME


def main():
    VolumeInfo.main()


if __name__ == "__main__":
    main()
