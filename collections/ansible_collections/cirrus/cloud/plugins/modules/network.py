#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: network
short_description: Manages guest networks
description:
  - Creates guest networks, renames them, restarts them (their router's configuration is
    applied again) and deletes them (C(createNetwork), C(updateNetwork),
    C(restartNetwork), C(deleteNetwork)).
  - A network is found by O(name) in its zone and owner.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the network.
    type: str
    required: true
  display_text:
    description: Display text of the network; O(name) when it is created without it.
    type: str
  zone:
    description: Name or id of the zone of the network.
    type: str
    required: true
  network_offering:
    description: Name or id of the network offering; needed to create the network.
    type: str
  gateway:
    description: Gateway of a direct network.
    type: str
  netmask:
    description: Netmask of a direct network.
    type: str
  start_ip:
    description: First address of a direct network's range.
    type: str
  end_ip:
    description: Last address of a direct network's range.
    type: str
  vlan:
    description: VLAN of a direct network.
    type: str
  network_domain:
    description: DNS domain of the network.
    type: str
  clean_up:
    description: Whether V(restarted) replaces the network's router with a new one.
    type: bool
    default: false
  state:
    description: V(restarted) makes the network present and restarts it (always a change).
    type: str
    choices: [present, absent, restarted]
    default: present
  account:
    description: Account the network belongs to (with O(domain)); the caller's own when not set.
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
- name: An isolated network for the web tier
  cirrus.cloud.network:
    name: web
    display_text: Web tier
    zone: zone-1
    network_offering: DefaultVirtualizedNetworkOffering

- name: Its router's configuration applied again
  cirrus.cloud.network:
    name: web
    zone: zone-1
    state: restarted
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    first,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import NETWORK


class Network(ResourceModule):
    noun = "network"
    key = "network"
    list_command = "listNetworks"
    create_command = "createNetwork"
    update_command = "updateNetwork"
    delete_command = "deleteNetwork"
    tenant = True
    options = {
        "name": {"type": "str", "required": True},
        "display_text": {"type": "str"},
        "zone": {"type": "str", "required": True},
        "network_offering": {"type": "str"},
        "gateway": {"type": "str"},
        "netmask": {"type": "str"},
        "start_ip": {"type": "str"},
        "end_ip": {"type": "str"},
        "vlan": {"type": "str"},
        "network_domain": {"type": "str"},
        "clean_up": {"type": "bool", "default": False},
        "state": {"type": "str", "default": "present",
                  "choices": ["present", "absent", "restarted"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    fields = (
        Field("name", "name", mutable=False, required=True),
        Field("display_text", "displaytext", required=True),
        Field("zone", "zoneid", ref="zone", mutable=False, required=True),
        Field("network_offering", "networkofferingid", ref="network_offering",
              mutable=False, required=True),
        Field("gateway", "gateway", mutable=False),
        Field("netmask", "netmask", mutable=False),
        Field("start_ip", "startip", mutable=False),
        Field("end_ip", "endip", mutable=False),
        Field("vlan", "vlan", mutable=False),
        Field("network_domain", "networkdomain", mutable=False),
        Field("account", "account", mutable=False, compare=False),
        Field("domain", "domainid", ref="domain", mutable=False, compare=False),
    )
    returns = NETWORK

    def get(self):
        absent = self.params["state"] == "absent"
        zone_id = self.ref_id("zone", missing_ok=absent)
        owner = self.owner(missing_ok=absent)
        if zone_id is None or owner is None:
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name}, keyword=name,
                         zoneid=zone_id, **owner)

    def create_defaults(self):
        return {"displaytext": self.params["name"], **self.owner()}

    def ensure_state(self, current, state):
        if state != "restarted" or current is None:
            return current
        self.changed({"state": "present"}, {"state": "restarted"})
        if self.module.check_mode or "id" not in current:
            return current
        answer = self.client.call("restartNetwork", id=current["id"],
                                  cleanup=self.params["clean_up"])
        return first(answer, self.key) or self.get()


def main():
    Network.main()


if __name__ == "__main__":
    main()
