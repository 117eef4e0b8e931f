#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: host_info
short_description: Lists hypervisor hosts
description:
  - Lists hypervisor hosts (C(listHosts)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the host.
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
  cirrus.cloud.host_info:
    cluster: cluster-1
  register: found
"""

RETURN = r"""
hosts:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the host.
      returned: success
      type: str
    name:
      description: Name of the host.
      returned: success
      type: str
      sample: kvm-1
    host_state:
      description: Connection state of the host.
      returned: success
      type: str
      sample: Up
    type:
      description: Type of the host.
      returned: success
      type: str
      sample: Routing
    ip_address:
      description: Address of the host.
      returned: success
      type: str
      sample: "172.16.20.21"
    zone:
      description: Name of the zone of the host.
      returned: success
      type: str
      sample: zone-1
    zone_id:
      description: Id of the zone of the host.
      returned: success
      type: str
    pod:
      description: Name of the pod of the host.
      returned: success
      type: str
      sample: pod-1
    pod_id:
      description: Id of the pod of the host.
      returned: success
      type: str
    cluster:
      description: Name of the cluster of the host.
      returned: success
      type: str
      sample: cluster-1
    cluster_id:
      description: Id of the cluster of the host.
      returned: success
      type: str
    hypervisor:
      description: Hypervisor of the host.
      returned: success
      type: str
      sample: KVM
    version:
      description: Version of the host's agent.
      returned: success
      type: str
    cpu_number:
      description: Number of CPUs of the host.
      returned: success
      type: int
      sample: 8
    cpu_speed:
      description: CPU speed of the host in MHz.
      returned: success
      type: int
      sample: 2000
    memory_total:
      description: Memory of the host in bytes.
      returned: success
      type: int
    host_tags:
      description: Comma-separated tags of the host.
      returned: success
      type: str
      sample: "ssd,gpu"
    resource_state:
      description: "Allocation state of the host: Enabled, Disabled, PrepareForMaintenance, Maintenance or ErrorInMaintenance."
      returned: success
      type: str
      sample: Enabled
    created:
      description: When the host was added.
      returned: success
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import HOST


class HostInfo(InfoModule):
    list_command = "listHosts"
    key = "host"
    plural = "hosts"
    constant = {"type": "Routing"}
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
    returns = HOST


def main():
    HostInfo.main()


if __name__ == "__main__":
    main()
