#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: network_info
short_description: Lists guest networks the caller may see
description:
  - Lists guest networks (C(listNetworks)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the network.
    type: str
  zone:
    description: Name or id of the zone.
    type: str
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
  cirrus.cloud.network_info:
    zone: zone-1
  register: found
"""

RETURN = r"""
networks:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the network.
      returned: success
      type: str
    name:
      description: Name of the network.
      returned: success
      type: str
      sample: web
    display_text:
      description: Display text of the network.
      returned: success
      type: str
    traffic_type:
      description: Traffic type of the network.
      returned: success
      type: str
      sample: Guest
    gateway:
      description: Gateway of the network.
      returned: success
      type: str
      sample: "10.1.1.1"
    netmask:
      description: Netmask of the network.
      returned: success
      type: str
      sample: "255.255.255.0"
    cidr:
      description: CIDR of the network.
      returned: success
      type: str
      sample: "10.1.1.0/24"
    start_ip:
      description: First address of a direct network's range.
      returned: success
      type: str
    end_ip:
      description: Last address of a direct network's range.
      returned: success
      type: str
    zone:
      description: Name of the zone of the network.
      returned: success
      type: str
    zone_id:
      description: Id of that zone.
      returned: success
      type: str
    network_offering:
      description: Name of the network offering.
      returned: success
      type: str
    network_offering_id:
      description: Id of the network offering.
      returned: success
      type: str
    network_offering_display_text:
      description: Display text of the network offering.
      returned: success
      type: str
    network_offering_availability:
      description: Availability of the network offering.
      returned: success
      type: str
    is_shared:
      description: Whether the network is shared by the accounts of the zone.
      returned: success
      type: bool
    is_system:
      description: Whether the network is a system network.
      returned: success
      type: bool
    network_state:
      description: "State of the network: Allocated, Implemented, ..."
      returned: success
      type: str
    broadcast_domain_type:
      description: Broadcast domain type of the network.
      returned: success
      type: str
    broadcast_uri:
      description: Broadcast URI of the network (its VLAN or VXLAN).
      returned: success
      type: str
    dns1:
      description: First DNS server of the network.
      returned: success
      type: str
    dns2:
      description: Second DNS server of the network.
      returned: success
      type: str
    type:
      description: "Type of the network: Virtual or Direct."
      returned: success
      type: str
    guest_ip_type:
      description: "Guest type of the network: Isolated or Shared."
      returned: success
      type: str
    vlan:
      description: VLAN of the network.
      returned: success
      type: str
    isolation_method:
      description: Isolation method of the network (vlan or vxlan).
      returned: success
      type: str
    account:
      description: Account of the network.
      returned: success
      type: str
    domain:
      description: Domain of the network.
      returned: success
      type: str
    domain_id:
      description: Id of that domain.
      returned: success
      type: str
    is_default:
      description: Whether it is its account's default network in the zone.
      returned: success
      type: bool
    network_domain:
      description: DNS domain of the network.
      returned: success
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import NETWORK


class NetworkInfo(InfoModule):
    list_command = "listNetworks"
    key = "network"
    plural = "networks"
    owned = True
    tenant = True
    name_param = "keyword"
    options = {
        "name": {"type": "str"},
        "zone": {"type": "str"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "keyword"),
        Field("zone", "zoneid", ref="zone"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = NETWORK


def main():
    NetworkInfo.main()


if __name__ == "__main__":
    main()
