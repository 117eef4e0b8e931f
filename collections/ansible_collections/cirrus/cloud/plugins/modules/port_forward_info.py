#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: port_forward_info
short_description: Lists port forwarding rules the caller may see
description:
  - Lists port forwarding rules (C(listPortForwardingRules)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  ip_address:
    description: The public address of the rules.
    type: str
  network:
    description: Name or id of the network of the rules.
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
  cirrus.cloud.port_forward_info:
    ip_address: 192.0.2.23
  register: found
"""

RETURN = r"""
port_forwards:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the rule.
      returned: success
      type: str
    protocol:
      description: Protocol of the rule.
      returned: success
      type: str
      sample: tcp
    ip_address:
      description: Public address of the rule.
      returned: success
      type: str
    ip_address_id:
      description: Id of that address.
      returned: success
      type: str
    vm:
      description: Name of the machine of the rule.
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
    vm_guest_ip:
      description: Address of the machine the rule forwards to.
      returned: success
      type: str
    rule_state:
      description: "State of the rule: Add until the network's router has it, then Active."
      returned: success
      type: str
      sample: Active
    cidr:
      description: Comma-separated source networks of the rule.
      returned: success
      type: str
    public_port:
      description: First public port of the rule.
      returned: success
      type: str
      sample: "2222"
    public_end_port:
      description: Last public port of the rule.
      returned: success
      type: str
    private_port:
      description: First private port of the rule.
      returned: success
      type: str
      sample: "22"
    private_end_port:
      description: Last private port of the rule.
      returned: success
      type: str
    network_id:
      description: Id of the network of the rule.
      returned: success
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import PORT_FORWARD


class PortForwardInfo(InfoModule):
    list_command = "listPortForwardingRules"
    key = "portforwardingrule"
    plural = "port_forwards"
    owned = True
    tenant = True
    options = {
        "ip_address": {"type": "str"},
        "network": {"type": "str"},
        "zone": {"type": "str"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("ip_address", "ipaddressid", ref="ip_address"),
        Field("network", "networkid", ref="network"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = PORT_FORWARD


def main():
    PortForwardInfo.main()


if __name__ == "__main__":
    main()
