#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: host
short_description: Manages hypervisor hosts
description:
  - Adds hosts to clusters, sets their tags and allocation state (enabled, disabled,
    maintenance) and removes them (C(addHost), C(updateHost),
    C(prepareHostForMaintenance), C(cancelHostMaintenance), C(deleteHost)).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description:
      - Name of the host as the API shows it; a host added by O(url) is named after the
        last path segment of the URL, else after its address.
    type: str
    required: true
    aliases: [ip_address]
  zone:
    description: Name or id of the zone of the host.
    type: str
    required: true
  pod:
    description: Name or id of the pod of the host.
    type: str
  cluster:
    description: Name or id of the cluster of the host; needed to add the host.
    type: str
  url:
    description:
      - URL of the host, for example V(http://172.16.20.21) or, for the simulator,
        V(http://sim/NAME?cpus=4&cpuspeed=2000&memory=8192); needed to add the host.
    type: str
  username:
    description: User name to log in to the host; needed to add the host.
    type: str
  password:
    description: Password of that user; needed to add the host.
    type: str
  hypervisor:
    description:
      - Hypervisor of the host; the cluster's hypervisor when not set.
    type: str
  host_tags:
    description: Tags of the host, matched by offerings' host tags.
    type: list
    elements: str
    aliases: [host_tag]
  allocation_state:
    description:
      - V(maintenance) puts the host in maintenance (its VMs move away); V(enabled) and
        V(disabled) take it out of maintenance first when it is in maintenance.
    type: str
    choices: [enabled, disabled, maintenance]
  state:
    description: Whether the host is present or absent.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: A KVM host
  cirrus.cloud.host:
    name: 172.16.20.21
    zone: zone-1
    cluster: cluster-1
    url: http://172.16.20.21
    username: root
    password: "{{ host_password }}"
    host_tags: [ssd]

- name: Maintenance
  cirrus.cloud.host:
    name: 172.16.20.21
    zone: zone-1
    allocation_state: maintenance
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    first,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import HOST

MAINTENANCE = ("PrepareForMaintenance", "Maintenance", "ErrorInMaintenance")
RESOURCE_STATES = {"enabled": "Enabled", "disabled": "Disabled", "maintenance": "Maintenance"}


class Host(ResourceModule):
    noun = "host"
    key = "host"
    list_command = "listHosts"
    create_command = "addHost"
    update_command = "updateHost"
    delete_command = "deleteHost"
    options = {
        "name": {"type": "str", "required": True, "aliases": ["ip_address"]},
        "zone": {"type": "str", "required": True},
        "pod": {"type": "str"},
        "cluster": {"type": "str"},
        "url": {"type": "str"},
        "username": {"type": "str"},
        "password": {"type": "str", "no_log": True},
        "hypervisor": {"type": "str"},
        "host_tags": {"type": "list", "elements": "str", "aliases": ["host_tag"]},
        "allocation_state": {"type": "str", "choices": ["enabled", "disabled", "maintenance"]},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    }
    fields = (
        Field("zone", "zoneid", ref="zone", mutable=False, required=True),
        Field("pod", "podid", ref="pod", mutable=False),
        Field("cluster", "clusterid", ref="cluster", mutable=False),
        Field("url", "url", mutable=False, required=True, compare=False),
        Field("username", "username", mutable=False, required=True, compare=False),
        Field("password", "password", mutable=False, required=True, compare=False),
        Field("hypervisor", "hypervisor", mutable=False, required=True, casefold=True),
        Field("host_tags", "hosttags"),
    )
    returns = HOST

    def get(self):
        absent = self.params["state"] == "absent"
        scope = {"zoneid": self.ref_id("zone", missing_ok=absent)}
        if self.params["cluster"]:
            scope["clusterid"] = self.ref_id("cluster", missing_ok=absent)
        if None in scope.values():
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name}, name=name,
                         type="Routing", **scope)

    def create_defaults(self):
        cluster_id = self.ref_id("cluster")
        if cluster_id is None or self.params["hypervisor"]:
            return {}
        cluster = self.find("listClusters", "cluster", id=cluster_id)
        return {"hypervisor": (cluster or {}).get("hypervisortype")}

    def ensure_state(self, current, state):
        wanted = self.params["allocation_state"]
        if wanted is None or current is None:
            return current
        now = current.get("resourcestate")
        target = RESOURCE_STATES[wanted]
        if now == target or (wanted == "maintenance" and now in MAINTENANCE):
            return current
        self.changed({"allocation_state": now}, {"allocation_state": target})
        if self.module.check_mode or "id" not in current:
            return dict(current, resourcestate=target)
        host_id = current["id"]
        if wanted == "maintenance":
            return first(self.client.call("prepareHostForMaintenance", id=host_id), "host")
        if now in MAINTENANCE:
            current = first(self.client.call("cancelHostMaintenance", id=host_id), "host")
        if current and current.get("resourcestate") != target:
            current = first(self.client.call("updateHost", id=host_id,
                                             allocationstate=target[:-1]), "host")
        return current


def main():
    Host.main()


if __name__ == "__main__":
    main()
