#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: pod
short_description: Manages pods
description:
  - Creates, updates, enables, disables and removes the pods of a zone (C(createPod),
    C(updatePod), C(deletePod)).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the pod.
    type: str
    required: true
  zone:
    description: Name or id of the zone of the pod.
    type: str
    required: true
  state:
    description:
      - V(enabled) and V(disabled) set the allocation state of a present pod.
    type: str
    choices: [present, enabled, disabled, absent]
    default: present
  gateway:
    description: Gateway of the pod's management network; needed to create the pod.
    type: str
  netmask:
    description: Netmask of the pod's management network; needed to create the pod.
    type: str
  start_ip:
    description:
      - First address of the range reserved for system VMs and hosts; needed to create the
        pod.
    type: str
  end_ip:
    description: Last address of that range.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: A pod
  cirrus.cloud.pod:
    name: pod-1
    zone: zone-1
    gateway: 172.16.20.1
    netmask: 255.255.255.0
    start_ip: 172.16.20.10
    end_ip: 172.16.20.100

- name: Remove it
  cirrus.cloud.pod:
    name: pod-1
    zone: zone-1
    state: absent
"""

RETURN = r"""
id:
  description: Id of the pod.
  returned: success
  type: str
name:
  description: Name of the pod.
  returned: success
  type: str
  sample: pod-1
zone:
  description: Name of the zone of the pod.
  returned: success
  type: str
  sample: zone-1
zone_id:
  description: Id of the zone of the pod.
  returned: success
  type: str
gateway:
  description: Gateway of the pod's management network.
  returned: success
  type: str
  sample: "172.16.20.1"
netmask:
  description: Netmask of the pod's management network.
  returned: success
  type: str
  sample: "255.255.255.0"
start_ip:
  description: First address of the pod's reserved range.
  returned: success
  type: str
  sample: "172.16.20.10"
end_ip:
  description: Last address of the pod's reserved range.
  returned: success
  type: str
  sample: "172.16.20.100"
allocation_state:
  description: Allocation state of the pod.
  returned: success
  type: str
  sample: Enabled
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import POD


class Pod(ResourceModule):
    noun = "pod"
    key = "pod"
    list_command = "listPods"
    create_command = "createPod"
    update_command = "updatePod"
    delete_command = "deletePod"
    options = {
        "name": {"type": "str", "required": True},
        "zone": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present",
                  "choices": ["present", "enabled", "disabled", "absent"]},
        "gateway": {"type": "str"},
        "netmask": {"type": "str"},
        "start_ip": {"type": "str"},
        "end_ip": {"type": "str"},
    }
    fields = (
        Field("zone", "zoneid", ref="zone", mutable=False, required=True),
        Field("name", "name", required=True),
        Field("gateway", "gateway", required=True),
        Field("netmask", "netmask", required=True),
        Field("start_ip", "startip", required=True),
        Field("end_ip", "endip"),
        Field("state", "allocationstate",
              values={"enabled": "Enabled", "disabled": "Disabled"}),
    )
    returns = POD

    def get(self):
        zone_id = self.ref_id("zone", missing_ok=self.params["state"] == "absent")
        if zone_id is None:
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name}, name=name,
                         zoneid=zone_id)


def main():
    Pod.main()


if __name__ == "__main__":
    main()
