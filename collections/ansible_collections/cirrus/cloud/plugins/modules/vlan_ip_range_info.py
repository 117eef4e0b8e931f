#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: vlan_ip_range_info
short_description: Lists VLAN IP ranges
description:
  - Lists VLAN IP ranges (C(listVlanIpRanges)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  zone:
    description: Name or id of the zone.
    type: str
  pod:
    description: Name or id of the pod (within O(zone) when set).
    type: str
  vlan:
    description: VLAN id of the ranges.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: List them
  cirrus.cloud.vlan_ip_range_info:
    zone: zone-1
  register: found
"""

RETURN = r"""
vlan_ip_ranges:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the range.
      returned: success
      type: str
    zone_id:
      description: Id of the zone of the range.
      returned: success
      type: str
    vlan:
      description: VLAN of the range.
      returned: success
      type: str
      sample: "50"
    start_ip:
      description: First address of the range.
      returned: success
      type: str
      sample: "192.0.2.10"
    end_ip:
      description: Last address of the range.
      returned: success
      type: str
      sample: "192.0.2.60"
    gateway:
      description: Gateway of the range.
      returned: success
      type: str
      sample: "192.0.2.1"
    netmask:
      description: Netmask of the range.
      returned: success
      type: str
      sample: "255.255.255.0"
    for_virtual_network:
      description: Whether the range is for virtual (public) networks.
      returned: success
      type: bool
      sample: true
    pod_id:
      description: Id of the pod of a direct range.
      returned: success
      type: str
    pod:
      description: Name of the pod of a direct range.
      returned: success
      type: str
    account:
      description: Account the range is dedicated to.
      returned: success
      type: str
    domain:
      description: Domain of that account.
      returned: success
      type: str
    domain_id:
      description: Id of that domain.
      returned: success
      type: str
    network_id:
      description: Id of the network of the range.
      returned: success
      type: str
    description:
      description: The range as start-end.
      returned: success
      type: str
      sample: 192.0.2.10-192.0.2.60
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import VLAN_IP_RANGE


class VlanIpRangeInfo(InfoModule):
    list_command = "listVlanIpRanges"
    key = "vlaniprange"
    plural = "vlan_ip_ranges"
    options = {
        "zone": {"type": "str"},
        "pod": {"type": "str"},
        "vlan": {"type": "str"},
    }
    filters = (
        Field("zone", "zoneid", ref="zone"),
        Field("pod", "podid", ref="pod"),
        Field("vlan", "vlan"),
    )
    returns = VLAN_IP_RANGE


def main():
    VlanIpRangeInfo.main()


if __name__ == "__main__":
    main()
