#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: ip_address_info
short_description: Lists public IP addresses the caller may see
description:
  - Lists public IP addresses (C(listPublicIpAddresses)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  ip_address:
    description: The address.
    type: str
  zone:
    description: Name or id of the zone.
    type: str
  network:
    description: Name or id of the network of the addresses.
    type: str
  is_source_nat:
    description: Whether only source NAT addresses (or only the others) are listed.
    type: bool
  account:
    description: Account whose objects are listed (with O(domain)); every account the caller may see when not set.
    type: str
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain whose objects are listed.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: List them
  cirrus.cloud.ip_address_info:
    network: web
    zone: zone-1
    is_source_nat: true
  register: found
"""

RETURN = r"""
ip_addresses:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import PUBLIC_IP


class IpAddressInfo(InfoModule):
    list_command = "listPublicIpAddresses"
    key = "publicipaddress"
    plural = "ip_addresses"
    owned = True
    tenant = True
    name_key = "ipaddress"
    options = {
        "ip_address": {"type": "str"},
        "zone": {"type": "str"},
        "network": {"type": "str"},
        "is_source_nat": {"type": "bool"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("ip_address", "ipaddress"),
        Field("zone", "zoneid", ref="zone"),
        Field("network", "associatednetworkid", ref="network"),
        Field("is_source_nat", "issourcenat"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = PUBLIC_IP


def main():
    IpAddressInfo.main()


if __name__ == "__main__":
    main()
