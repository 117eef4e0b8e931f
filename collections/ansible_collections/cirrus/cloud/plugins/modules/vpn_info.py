#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpn_info
short_description: Lists remote access VPNs the caller may see
description:
  - Lists remote access VPNs (C(listRemoteAccessVpns)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  ip_address:
    description: The public address of the VPN.
    type: str
    aliases: [public_ip]
  network:
    description: Name or id of the network of the VPNs.
    type: str
  zone:
    description: Name or id of the zone of the address or network.
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
  cirrus.cloud.vpn_info:
    network: web
    zone: zone-1
  register: found
"""

RETURN = r"""
vpns:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import VPN


class VpnInfo(InfoModule):
    list_command = "listRemoteAccessVpns"
    key = "remoteaccessvpn"
    plural = "vpns"
    owned = True
    tenant = True
    options = {
        "ip_address": {"type": "str", "aliases": ["public_ip"]},
        "network": {"type": "str"},
        "zone": {"type": "str"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("ip_address", "publicipid", ref="ip_address"),
        Field("network", "networkid", ref="network"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = VPN


def main():
    VpnInfo.main()


if __name__ == "__main__":
    main()
