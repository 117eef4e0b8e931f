#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: storage_pool
short_description: Manages primary storage pools
description:
  - Adds primary storage pools to a cluster or zone, sets their tags, capacity and
    allocation state (enabled, disabled, maintenance) and removes them
    (C(createStoragePool), C(updateStoragePool), C(enableStorageMaintenance),
    C(cancelStorageMaintenance), C(deleteStoragePool)).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the pool.
    type: str
    required: true
  zone:
    description: Name or id of the zone of the pool.
    type: str
    required: true
  pod:
    description: Name or id of the pod of a cluster-wide pool.
    type: str
  cluster:
    description: Name or id of the cluster of a cluster-wide pool.
    type: str
  storage_url:
    description:
      - URL of the pool, for example V(nfs://203.0.113.10/export/primary),
        V(SharedMountPoint:///mnt/primary) or V(file:///var/lib/cirrus/primary); needed to
        add the pool (the API does not show it again, so it is not compared).
    type: str
  scope:
    description: Scope of the pool.
    type: str
    choices: [cluster, zone]
  hypervisor:
    description: Hypervisor of the hosts of a zone-wide pool.
    type: str
  capacity_bytes:
    description: Bytes the pool may provision.
    type: int
  storage_tags:
    description: Tags of the pool, matched by offerings' storage tags.
    type: list
    elements: str
    aliases: [storage_tag]
  allocation_state:
    description:
      - V(maintenance) puts the pool in maintenance; V(enabled) and V(disabled) take it out
        of maintenance first when it is in maintenance.
    type: str
    choices: [enabled, disabled, maintenance]
  state:
    description: Whether the pool is present or absent.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: An NFS pool for a cluster
  cirrus.cloud.storage_pool:
    name: primary-1
    zone: zone-1
    pod: pod-1
    cluster: cluster-1
    storage_url: nfs://203.0.113.10/export/primary
    storage_tags: [ssd]

- name: Maintenance
  cirrus.cloud.storage_pool:
    name: primary-1
    zone: zone-1
    allocation_state: maintenance
"""

RETURN = r"""
id:
  description: Id of the storage pool.
  returned: success
  type: str
name:
  description: Name of the storage pool.
  returned: success
  type: str
  sample: primary-1
zone:
  description: Name of the zone of the pool.
  returned: success
  type: str
  sample: zone-1
zone_id:
  description: Id of the zone of the pool.
  returned: success
  type: str
pod:
  description: Name of the pod of a cluster-wide pool.
  returned: success
  type: str
pod_id:
  description: Id of the pod of a cluster-wide pool.
  returned: success
  type: str
cluster:
  description: Name of the cluster of a cluster-wide pool.
  returned: success
  type: str
cluster_id:
  description: Id of the cluster of a cluster-wide pool.
  returned: success
  type: str
ip_address:
  description: Address of the storage server.
  returned: success
  type: str
  sample: "203.0.113.10"
path:
  description: Path of the pool on the server.
  returned: success
  type: str
  sample: /export/primary
type:
  description: Type of the pool.
  returned: success
  type: str
  sample: NetworkFilesystem
scope:
  description: "Scope of the pool: CLUSTER or ZONE."
  returned: success
  type: str
  sample: CLUSTER
hypervisor:
  description: Hypervisor of the hosts using the pool.
  returned: success
  type: str
capacity_bytes:
  description: Bytes the pool can provision.
  returned: success
  type: int
disk_size_allocated:
  description: Bytes allocated on the pool.
  returned: success
  type: int
disk_size_used:
  description: Bytes used on the pool.
  returned: success
  type: int
storage_tags:
  description: Comma-separated tags of the pool.
  returned: success
  type: str
  sample: ssd
pool_state:
  description: "State of the pool: Up, Disabled, PrepareForMaintenance, Maintenance, CancelMaintenance or ErrorInMaintenance."
  returned: success
  type: str
  sample: Up
created:
  description: When the pool was added.
  returned: success
  type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    first,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import STORAGE_POOL

MAINTENANCE = ("PrepareForMaintenance", "Maintenance", "ErrorInMaintenance",
               "CancelMaintenance")
POOL_STATES = {"enabled": "Up", "disabled": "Disabled", "maintenance": "Maintenance"}


class StoragePool(ResourceModule):
    noun = "storage pool"
    key = "storagepool"
    list_command = "listStoragePools"
    create_command = "createStoragePool"
    update_command = "updateStoragePool"
    delete_command = "deleteStoragePool"
    options = {
        "name": {"type": "str", "required": True},
        "zone": {"type": "str", "required": True},
        "pod": {"type": "str"},
        "cluster": {"type": "str"},
        "storage_url": {"type": "str"},
        "scope": {"type": "str", "choices": ["cluster", "zone"]},
        "hypervisor": {"type": "str"},
        "capacity_bytes": {"type": "int"},
        "storage_tags": {"type": "list", "elements": "str", "aliases": ["storage_tag"]},
        "allocation_state": {"type": "str", "choices": ["enabled", "disabled", "maintenance"]},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    }
    fields = (
        Field("zone", "zoneid", ref="zone", mutable=False, required=True),
        Field("name", "name", mutable=False, required=True),
        Field("storage_url", "url", mutable=False, required=True, compare=False),
        Field("pod", "podid", ref="pod", mutable=False),
        Field("cluster", "clusterid", ref="cluster", mutable=False),
        Field("scope", "scope", mutable=False, casefold=True),
        Field("hypervisor", "hypervisor", mutable=False, casefold=True),
        Field("capacity_bytes", "capacitybytes", key="disksizetotal"),
        Field("storage_tags", "tags"),
    )
    returns = STORAGE_POOL

    def get(self):
        zone_id = self.ref_id("zone", missing_ok=self.params["state"] == "absent")
        if zone_id is None:
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name}, name=name,
                         zoneid=zone_id)

    def ensure_state(self, current, state):
        wanted = self.params["allocation_state"]
        if wanted is None or current is None:
            return current
        now = current.get("state")
        target = POOL_STATES[wanted]
        if now == target or (wanted == "maintenance" and now == "PrepareForMaintenance"):
            return current
        self.changed({"allocation_state": now}, {"allocation_state": target})
        if self.module.check_mode or "id" not in current:
            return dict(current, state=target)
        pool_id = current["id"]
        if wanted == "maintenance":
            return first(self.client.call("enableStorageMaintenance", id=pool_id),
                         self.key)
        if now in MAINTENANCE:
            current = first(self.client.call("cancelStorageMaintenance", id=pool_id),
                            self.key)
        if current and current.get("state") != target:
            current = first(self.client.call("updateStoragePool", id=pool_id,
                                             enabled=wanted == "enabled"), self.key)
        return current


def main():
    StoragePool.main()


if __name__ == "__main__":
    main()
