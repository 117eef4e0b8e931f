#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: static_nat
short_description: Manages static NAT of public IP addresses
description:
  - Sends all the traffic of a public IP address to one virtual machine, or stops doing
    so (C(enableStaticNat), C(disableStaticNat)); the machine changes by disabling and
    enabling again. The address's firewall rules still decide what comes in.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  ip_address:
    description: The public address; not a source NAT address.
    type: str
    required: true
  vm:
    description: Name or id of the virtual machine; needed to enable static NAT.
    type: str
  zone:
    description: Name or id of the zone of the address and the machine.
    type: str
  state:
    description: Whether static NAT is enabled (V(present)) or not.
    type: str
    choices: [present, absent]
    default: present
  account:
    description: Account of the address and the machine (with O(domain)); the caller's own when not set.
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
- name: All of 192.0.2.24 to mail-1
  cirrus.cloud.static_nat:
    ip_address: 192.0.2.24
    vm: mail-1
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
zone:
  description: Name of the zone of the address.
  returned: success
  type: str
zone_id:
  description: Id of that zone.
  returned: success
  type: str
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
is_static_nat:
  description: Whether static NAT is enabled on the address.
  returned: success
  type: bool
vm:
  description: Name of the machine the address goes to.
  returned: success
  type: str
vm_id:
  description: Id of that machine.
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
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import STATIC_NAT

ENABLE = "enableStaticNat"


class StaticNat(ResourceModule):
    noun = "static NAT"
    key = "publicipaddress"
    list_command = "listPublicIpAddresses"
    create_command = ENABLE
    delete_command = "disableStaticNat"
    delete_key = "ipaddressid"
    tenant = True
    options = {
        "ip_address": {"type": "str", "required": True},
        "vm": {"type": "str"},
        "zone": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    fields = (
        Field("ip_address", "ipaddressid", ref="ip_address", mutable=False, required=True,
              compare=False),
        Field("vm", "virtualmachineid", ref="vm", required=True, update_with=ENABLE),
    )
    returns = STATIC_NAT

    def get(self):
        absent = self.params["state"] == "absent"
        self.ip_id = self.ref_id("ip_address", missing_ok=absent)
        owner = self.owner(missing_ok=absent)
        if self.ip_id is None or owner is None:
            return None
        self.address = self.find(self.list_command, self.key, id=self.ip_id, **owner)
        if self.address and self.address.get("isstaticnat"):
            return self.address
        return None

    def create_defaults(self):
        return {"ipaddressid": self.ip_id}

    def update(self, current, changes):
        self.client.call(self.delete_command, ipaddressid=current["id"])
        self.client.call(ENABLE, ipaddressid=current["id"], **changes)
        return self.get()

    def delete_params(self, current):
        return {"ipaddressid": current["id"]}

    def title(self, current):
        return f"of {self.params['ip_address']}"


def main():
    StaticNat.main()


if __name__ == "__main__":
    main()
