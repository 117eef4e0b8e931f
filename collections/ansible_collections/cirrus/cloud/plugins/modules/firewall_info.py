#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: firewall_info
short_description: Lists firewall rules the caller may see
description:
  - Lists firewall rules of public IP addresses (ingress) or of networks (egress) (C(listFirewallRules)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  type:
    description: Which rules are listed; V(egress) rules need O(network).
    type: str
    choices: [ingress, egress]
    default: ingress
  ip_address:
    description: The public address of ingress rules.
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
  cirrus.cloud.firewall_info:
    ip_address: 192.0.2.23
  register: found
"""

RETURN = r"""
firewall_rules:
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
    start_port:
      description: First port of the rule.
      returned: success
      type: int
      sample: 443
    end_port:
      description: Last port of the rule.
      returned: success
      type: int
      sample: 443
    ip_address:
      description: Public address of an ingress rule.
      returned: success
      type: str
    ip_address_id:
      description: Id of that address.
      returned: success
      type: str
    network_id:
      description: Id of the network of the rule.
      returned: success
      type: str
    rule_state:
      description: "State of the rule: Add until the network's router has it, then Active."
      returned: success
      type: str
    cidr:
      description: Comma-separated networks of the rule.
      returned: success
      type: str
      sample: 0.0.0.0/0
    icmp_type:
      description: ICMP type of the rule.
      returned: success
      type: int
    icmp_code:
      description: ICMP code of the rule.
      returned: success
      type: int
    traffic_type:
      description: "Direction of the rule: Ingress or Egress."
      returned: success
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import FIREWALL


class FirewallInfo(InfoModule):
    list_command = "listFirewallRules"
    key = "firewallrule"
    plural = "firewall_rules"
    owned = True
    tenant = True
    options = {
        "type": {"type": "str", "choices": ["ingress", "egress"], "default": "ingress"},
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
    returns = FIREWALL
    required_if = [["type", "egress", ["network"]]]

    def run(self):
        if self.params["type"] == "egress":
            self.list_command = "listEgressFirewallRules"
        super().run()


def main():
    FirewallInfo.main()


if __name__ == "__main__":
    main()
