#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: ip_address
short_description: Manages public IP addresses of networks
description:
  - Acquires public IP addresses for networks and releases them
    (C(associateIpAddress), C(disassociateIpAddress)).
  - The API picks the address, so without O(ip_address) the module makes sure the
    network (the owner's default network of O(zone) without O(network)) has one address
    besides its source NAT address, and returns the first such one (run after run, the
    same one); a network without a source NAT address gets that one first. With
    O(ip_address) it checks that the address is the owner's, and V(absent) releases it.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  ip_address:
    description: The address; needed for V(absent).
    type: str
  network:
    description: Name or id of the network the address is for.
    type: str
  zone:
    description: Name or id of the zone of the address.
    type: str
    required: true
  state:
    description: Whether the address is present or absent.
    type: str
    choices: [present, absent]
    default: present
  account:
    description: Account the address belongs to (with O(domain)); the caller's own when not set.
    type: str
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain of O(account); V(ROOT) when only
      O(account) is set.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: A public address for the web network
  cirrus.cloud.ip_address:
    network: web
    zone: zone-1
  register: web_ip

- name: Released
  cirrus.cloud.ip_address:
    ip_address: "{{ web_ip.ip_address }}"
    zone: zone-1
    state: absent
"""

RETURN = r"""
id:
  description: Id of the address.
  returned: success
  type: str
ip_address:
  description: The address.
  returned: success
  type: str
  sample: "192.0.2.23"
allocated:
  description: When the address was acquired.
  returned: success
  type: str
zone:
  description: Name of the zone of the address.
  returned: success
  type: str
zone_id:
  description: Id of that zone.
  returned: success
  type: str
is_source_nat:
  description: Whether it is its network's source NAT address.
  returned: success
  type: bool
account:
  description: Account of the address.
  returned: success
  type: str
domain:
  description: Domain of the address.
  returned: success
  type: str
domain_id:
  description: Id of that domain.
  returned: success
  type: str
for_virtual_network:
  description: Whether the address is for virtual networks.
  returned: success
  type: bool
vlan_id:
  description: Id of the public range of the address.
  returned: success
  type: str
vlan:
  description: VLAN of the public range of the address.
  returned: success
  type: str
is_static_nat:
  description: Whether static NAT is enabled on the address.
  returned: success
  type: bool
vm_id:
  description: Id of the machine static NAT sends the address to.
  returned: success
  type: str
vm:
  description: Name of that machine.
  returned: success
  type: str
vm_display_name:
  description: Display name of that machine.
  returned: success
  type: str
network_id:
  description: Id of the network of the address.
  returned: success
  type: str
ip_address_state:
  description: "State of the address: Allocating, Allocated, Releasing, Free."
  returned: success
  type: str
  sample: Allocated
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import PUBLIC_IP


class IpAddress(ResourceModule):
    noun = "IP address"
    key = "publicipaddress"
    list_command = "listPublicIpAddresses"
    create_command = "associateIpAddress"
    delete_command = "disassociateIpAddress"
    answer_key = "ipaddress"
    tenant = True
    options = {
        "ip_address": {"type": "str"},
        "network": {"type": "str"},
        "zone": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    required_if = [["state", "absent", ["ip_address"]]]
    fields = (
        Field("zone", "zoneid", ref="zone", mutable=False),
        Field("network", "networkid", ref="network", key="associatednetworkid",
              mutable=False),
        Field("account", "account", mutable=False, compare=False),
        Field("domain", "domainid", ref="domain", mutable=False, compare=False),
    )
    returns = PUBLIC_IP

    def get(self):
        absent = self.params["state"] == "absent"
        zone_id = self.ref_id("zone", missing_ok=absent)
        owner = self.owner(missing_ok=absent)
        if zone_id is None or owner is None:
            return None
        scope = {"zoneid": zone_id, **owner}
        if self.params["network"]:
            scope["associatednetworkid"] = self.ref_id("network", missing_ok=absent)
            if scope["associatednetworkid"] is None:
                return None
        address = self.params["ip_address"]
        if address:
            found = self.find(self.list_command, self.key, match={"ipaddress": address},
                              ipaddress=address, **scope)
            if found is None and not absent:
                self.fail(f"IP address {address} is not allocated to the owner in that "
                          "zone; the API picks the addresses it hands out, so leave "
                          "ip_address out to acquire one")
            return found
        extra = [ip for ip in self.list_objects(self.list_command, self.key,
                                                issourcenat=False, **scope)
                 if not ip.get("issourcenat")]
        extra.sort(key=lambda ip: tuple(int(part) for part in ip["ipaddress"].split(".")))
        return extra[0] if extra else None

    def create_defaults(self):
        return dict(self.owner())

    def create(self, wanted):
        created = super().create(wanted)
        if created and created.get("issourcenat"):
            # The network had no source NAT address: its first address became that one.
            created = super().create(wanted)
        return created

    def title(self, current):
        return (current or {}).get("ipaddress") or self.params["ip_address"] or ""


def main():
    IpAddress.main()


if __name__ == "__main__":
    main()
