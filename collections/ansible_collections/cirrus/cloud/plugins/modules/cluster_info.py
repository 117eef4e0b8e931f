#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: cluster_info
short_description: Lists clusters
description:
  - Lists clusters (C(listClusters)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the cluster.
    type: str
  zone:
    description: Name or id of the zone.
    type: str
  pod:
    description: Name or id of the pod (within O(zone) when set).
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: List them
  cirrus.cloud.cluster_info:
    zone: zone-1
  register: found
"""

RETURN = r"""
clusters:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the cluster.
      returned: success
      type: str
    name:
      description: Name of the cluster.
      returned: success
      type: str
      sample: cluster-1
    zone:
      description: Name of the zone of the cluster.
      returned: success
      type: str
      sample: zone-1
    zone_id:
      description: Id of the zone of the cluster.
      returned: success
      type: str
    pod:
      description: Name of the pod of the cluster.
      returned: success
      type: str
      sample: pod-1
    pod_id:
      description: Id of the pod of the cluster.
      returned: success
      type: str
    hypervisor:
      description: Hypervisor of the cluster's hosts.
      returned: success
      type: str
      sample: KVM
    cluster_type:
      description: Type of the cluster.
      returned: success
      type: str
      sample: CloudManaged
    allocation_state:
      description: Allocation state of the cluster.
      returned: success
      type: str
      sample: Enabled
    managed_state:
      description: Whether the cluster is managed.
      returned: success
      type: str
      sample: Managed
    libvirt_domain_type:
      description: libvirt domain type of a KVM cluster's guests.
      returned: success
      type: str
      sample: kvm
    cpu_overcommit_ratio:
      description: CPU overcommit ratio of the cluster.
      returned: success
      type: str
      sample: "1.0"
    memory_overcommit_ratio:
      description: Memory overcommit ratio of the cluster.
      returned: success
      type: str
      sample: "1.0"
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import CLUSTER


class ClusterInfo(InfoModule):
    list_command = "listClusters"
    key = "cluster"
    plural = "clusters"
    options = {
        "name": {"type": "str"},
        "zone": {"type": "str"},
        "pod": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("zone", "zoneid", ref="zone"),
        Field("pod", "podid", ref="pod"),
    )
    returns = CLUSTER


def main():
    ClusterInfo.main()


if __name__ == "__main__":
    main()
