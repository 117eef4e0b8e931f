#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: cluster
short_description: Manages clusters
description:
  - Adds, updates, enables, disables and removes the clusters of a pod (C(addCluster),
    C(updateCluster), C(deleteCluster)).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the cluster.
    type: str
    required: true
  zone:
    description: Name or id of the zone of the cluster.
    type: str
    required: true
  pod:
    description: Name or id of the pod of the cluster; needed to add the cluster.
    type: str
  state:
    description:
      - V(enabled) and V(disabled) set the allocation state of a present cluster.
    type: str
    choices: [present, enabled, disabled, absent]
    default: present
  hypervisor:
    description:
      - Hypervisor of the cluster's hosts, for example V(KVM), V(LXC), V(VMware) or
        V(Simulator); needed to add the cluster and cannot change afterwards.
    type: str
  cluster_type:
    description:
      - Type of the cluster; V(CloudManaged) when the cluster is added without it.
    type: str
    choices: [CloudManaged, ExternalManaged]
  libvirt_domain_type:
    description: libvirt domain type of the guests of a KVM cluster.
    type: str
    choices: [kvm, qemu, lxc]
  url:
    description: URL of the cluster (VMware vCenter clusters); used when adding it.
    type: str
  username:
    description: User name for O(url); used when adding the cluster.
    type: str
  password:
    description: Password for O(url); used when adding the cluster.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: A KVM cluster whose guests run under QEMU emulation
  cirrus.cloud.cluster:
    name: cluster-1
    zone: zone-1
    pod: pod-1
    hypervisor: KVM
    libvirt_domain_type: qemu

- name: Take it out of allocation
  cirrus.cloud.cluster:
    name: cluster-1
    zone: zone-1
    state: disabled
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import CLUSTER


class Cluster(ResourceModule):
    noun = "cluster"
    key = "cluster"
    list_command = "listClusters"
    create_command = "addCluster"
    update_command = "updateCluster"
    delete_command = "deleteCluster"
    implicit = ("clustertype",)
    options = {
        "name": {"type": "str", "required": True},
        "zone": {"type": "str", "required": True},
        "pod": {"type": "str"},
        "state": {"type": "str", "default": "present",
                  "choices": ["present", "enabled", "disabled", "absent"]},
        "hypervisor": {"type": "str"},
        "cluster_type": {"type": "str", "choices": ["CloudManaged", "ExternalManaged"]},
        "libvirt_domain_type": {"type": "str", "choices": ["kvm", "qemu", "lxc"]},
        "url": {"type": "str"},
        "username": {"type": "str"},
        "password": {"type": "str", "no_log": True},
    }
    fields = (
        Field("zone", "zoneid", ref="zone", mutable=False, required=True),
        Field("pod", "podid", ref="pod", mutable=False, required=True),
        Field("name", "clustername", key="name", required=True),
        Field("hypervisor", "hypervisor", key="hypervisortype", mutable=False,
              required=True, casefold=True),
        Field("cluster_type", "clustertype", required=True, casefold=True),
        Field("libvirt_domain_type", "libvirtdomaintype"),
        Field("url", "url", mutable=False, compare=False),
        Field("username", "username", mutable=False, compare=False),
        Field("password", "password", mutable=False, compare=False),
        Field("state", "allocationstate",
              values={"enabled": "Enabled", "disabled": "Disabled"}),
    )
    returns = CLUSTER

    def get(self):
        absent = self.params["state"] == "absent"
        scope = {"zoneid": self.ref_id("zone", missing_ok=absent)}
        if self.params["pod"]:
            scope["podid"] = self.ref_id("pod", missing_ok=absent)
        if None in scope.values():
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name}, name=name,
                         **scope)

    def create_defaults(self):
        return {"clustertype": "CloudManaged"}


def main():
    Cluster.main()


if __name__ == "__main__":
    main()
