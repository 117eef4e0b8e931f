#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: storage_pool_info
short_description: Lists primary storage pools
description:
  - Lists primary storage pools (C(listStoragePools)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the pool.
    type: str
  zone:
    description: Name or id of the zone.
    type: str
  pod:
    description: Name or id of the pod (within O(zone) when set).
    type: str
  cluster:
    description: Name or id of the cluster (within O(zone) and O(pod) when set).
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: List them
  cirrus.cloud.storage_pool_info:
    zone: zone-1
  register: found
"""

RETURN = r"""
storage_pools:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import STORAGE_POOL


class StoragePoolInfo(InfoModule):
    list_command = "listStoragePools"
    key = "storagepool"
    plural = "storage_pools"
    options = {
        "name": {"type": "str"},
        "zone": {"type": "str"},
        "pod": {"type": "str"},
        "cluster": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("zone", "zoneid", ref="zone"),
        Field("pod", "podid", ref="pod"),
        Field("cluster", "clusterid", ref="cluster"),
    )
    returns = STORAGE_POOL


def main():
    StoragePoolInfo.main()


if __name__ == "__main__":
    main()
