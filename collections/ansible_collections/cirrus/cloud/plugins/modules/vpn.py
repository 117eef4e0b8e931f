#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpn
short_description: Manages remote access VPNs
description:
  - Makes an L2TP/IPsec remote access VPN on a public IP address of an isolated network
    (its router serves it; a network has at most one) and removes it
    (C(createRemoteAccessVpn), C(deleteRemoteAccessVpn)). C(cirrus.cloud.vpn_user)
    manages who may log in.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  ip_address:
    description: The public address of the VPN, usually the network's source NAT address.
    type: str
    required: true
    aliases: [public_ip]
  ip_range:
    description:
      - Addresses handed to VPN clients, as V(first-last); the first is the router's end.
        The cloud picks a range when not set.
    type: str
    aliases: [iprange]
  zone:
    description: Name or id of the zone of the address.
    type: str
  state:
    description: Whether the VPN is present or absent.
    type: str
    choices: [present, absent]
    default: present
  account:
    description: Account of the address (with O(domain)); the caller's own when not set.
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
- name: A VPN into the web network
  cirrus.cloud.vpn:
    ip_address: 192.0.2.23
    ip_range: 10.1.2.1-10.1.2.20
  register: vpn

- name: Its pre-shared key
  ansible.builtin.debug:
    msg: "{{ vpn.preshared_key }}"
"""

RETURN = r"""
id:
  description: Id of the VPN.
  returned: success
  type: str
ip_address:
  description: Public address of the VPN.
  returned: success
  type: str
ip_address_id:
  description: Id of that address.
  returned: success
  type: str
ip_range:
  description: Addresses handed to VPN clients.
  returned: success
  type: str
  sample: 10.1.2.1-10.1.2.20
preshared_key:
  description: IPsec pre-shared key of the VPN.
  returned: success
  type: str
vpn_state:
  description: "State of the VPN: Added until the router serves it, then Running."
  returned: success
  type: str
network_id:
  description: Id of the network of the VPN.
  returned: success
  type: str
account:
  description: Account of the VPN.
  returned: success
  type: str
domain:
  description: Domain of the VPN.
  returned: success
  type: str
domain_id:
  description: Id of that domain.
  returned: success
  type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import VPN


class Vpn(ResourceModule):
    noun = "remote access VPN"
    key = "remoteaccessvpn"
    list_command = "listRemoteAccessVpns"
    create_command = "createRemoteAccessVpn"
    delete_command = "deleteRemoteAccessVpn"
    delete_key = "publicipid"
    tenant = True
    options = {
        "ip_address": {"type": "str", "required": True, "aliases": ["public_ip"]},
        "ip_range": {"type": "str", "aliases": ["iprange"]},
        "zone": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    fields = (
        Field("ip_address", "publicipid", ref="ip_address", mutable=False, required=True),
        Field("ip_range", "iprange", mutable=False),
        Field("account", "account", mutable=False, compare=False),
        Field("domain", "domainid", ref="domain", mutable=False, compare=False),
    )
    returns = VPN

    def get(self):
        absent = self.params["state"] == "absent"
        ip_id = self.ref_id("ip_address", missing_ok=absent)
        owner = self.owner(missing_ok=absent)
        if ip_id is None or owner is None:
            return None
        return self.find(self.list_command, self.key, publicipid=ip_id, **owner)

    def create_defaults(self):
        return dict(self.owner())

    def delete_params(self, current):
        return {"publicipid": current["publicipid"]}

    def title(self, current):
        return f"on {self.params['ip_address']}"


def main():
    Vpn.main()


if __name__ == "__main__":
    main()
