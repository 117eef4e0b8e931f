#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: pod_info
short_description: Lists pods
description:
  - Lists pods (C(listPods)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the pod.
    type: str
  zone:
    description: Name or id of the zone.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: List them
  cirrus.cloud.pod_info:
    zone: zone-1
  register: found
"""

RETURN = r"""
pods:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import POD


class PodInfo(InfoModule):
    list_command = "listPods"
    key = "pod"
    plural = "pods"
    options = {
        "name": {"type": "str"},
        "zone": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("zone", "zoneid", ref="zone"),
    )
    returns = POD


def main():
    PodInfo.main()


if __name__ == "__main__":
    main()
