#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: vlan_ip_range
short_description: Manages VLAN IP ranges
description:
  - Creates and removes the public or direct address ranges of a zone
    (C(createVlanIpRange), C(deleteVlanIpRange)).
  - A range is found by its zone and O(start_ip) (and O(end_ip) when set); the API cannot
    change a range, so a differing value fails the module.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  zone:
    description: Name or id of the zone of the range.
    type: str
    required: true
  start_ip:
    description: First address of the range.
    type: str
    required: true
  end_ip:
    description: Last address of the range.
    type: str
  gateway:
    description: Gateway of the range.
    type: str
  netmask:
    description: Netmask of the range.
    type: str
  vlan:
    description: VLAN id of the range; untagged when not set.
    type: str
  pod:
    description: Name or id of the pod of a direct untagged range.
    type: str
  for_virtual_network:
    description:
      - Whether the range serves virtual (public) networks rather than direct ones; the
        server takes V(true) when not set.
    type: bool
  account:
    description: Account the range is dedicated to (with O(domain)).
    type: str
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain of O(account).
    type: str
  network:
    description: Name or id of the network of the range.
    type: str
  state:
    description: Whether the range is present or absent.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: A public range on VLAN 50
  cirrus.cloud.vlan_ip_range:
    zone: zone-1
    vlan: "50"
    gateway: 192.0.2.1
    netmask: 255.255.255.0
    start_ip: 192.0.2.10
    end_ip: 192.0.2.60
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import VLAN_IP_RANGE


class VlanIpRange(ResourceModule):
    noun = "VLAN IP range"
    key = "vlan"
    list_command = "listVlanIpRanges"
    create_command = "createVlanIpRange"
    delete_command = "deleteVlanIpRange"
    options = {
        "zone": {"type": "str", "required": True},
        "start_ip": {"type": "str", "required": True},
        "end_ip": {"type": "str"},
        "gateway": {"type": "str"},
        "netmask": {"type": "str"},
        "vlan": {"type": "str"},
        "pod": {"type": "str"},
        "for_virtual_network": {"type": "bool"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
        "network": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    }
    required_together = [["account", "domain"]]
    fields = (
        Field("zone", "zoneid", ref="zone", mutable=False),
        Field("start_ip", "startip", mutable=False, required=True),
        Field("end_ip", "endip", mutable=False),
        Field("gateway", "gateway", mutable=False),
        Field("netmask", "netmask", mutable=False),
        Field("vlan", "vlan", mutable=False),
        Field("pod", "podid", ref="pod", mutable=False),
        Field("for_virtual_network", "forvirtualnetwork", mutable=False),
        Field("account", "account", mutable=False),
        Field("domain", "domainid", ref="domain", mutable=False),
        Field("network", "networkid", ref="network", mutable=False),
    )
    returns = VLAN_IP_RANGE

    def get(self):
        zone_id = self.ref_id("zone", missing_ok=self.params["state"] == "absent")
        if zone_id is None:
            return None
        match = {"startip": self.params["start_ip"]}
        if self.params["end_ip"]:
            match["endip"] = self.params["end_ip"]
        # The API filters by zone (and VLAN, pod); it has no filter by address.
        scope = {"zoneid": zone_id, "vlan": self.params["vlan"],
                 "podid": self.ref_id("pod")}
        # CloudStack lists ranges as "vlaniprange" (its create command answers "vlan").
        return self.find(self.list_command, "vlaniprange", match=match, **scope)

    def title(self, current):
        start = (current or {}).get("startip") or self.params["start_ip"]
        end = (current or {}).get("endip") or self.params["end_ip"] or start
        return f"{start}-{end}"


def main():
    VlanIpRange.main()


if __name__ == "__main__":
    main()
