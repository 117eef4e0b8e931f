#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: loadbalancer_rule_info
short_description: Lists load balancer rules the caller may see
description:
  - Lists load balancer rules (C(listLoadBalancerRules)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the rule.
    type: str
  ip_address:
    description: The public address of the rules.
    type: str
    aliases: [public_ip]
  network:
    description: Name or id of the network of the rules.
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
  cirrus.cloud.loadbalancer_rule_info:
    ip_address: 192.0.2.23
  register: found
"""

RETURN = r"""
loadbalancer_rules:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the rule.
      returned: success
      type: str
    name:
      description: Name of the rule.
      returned: success
      type: str
      sample: web-http
    description:
      description: Description of the rule.
      returned: success
      type: str
    algorithm:
      description: Algorithm of the rule.
      returned: success
      type: str
      sample: leastconn
    ip_address:
      description: Public address of the rule.
      returned: success
      type: str
    ip_address_id:
      description: Id of that address.
      returned: success
      type: str
    public_port:
      description: Public port of the rule.
      returned: success
      type: str
      sample: "80"
    private_port:
      description: Port on the machines.
      returned: success
      type: str
      sample: "8080"
    protocol:
      description: Protocol of the rule.
      returned: success
      type: str
    cidr:
      description: Comma-separated source networks of the rule.
      returned: success
      type: str
    account:
      description: Account of the rule.
      returned: success
      type: str
    domain:
      description: Domain of the rule.
      returned: success
      type: str
    domain_id:
      description: Id of that domain.
      returned: success
      type: str
    zone_id:
      description: Id of the zone of the rule.
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
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import LOAD_BALANCER


class LoadBalancerRuleInfo(InfoModule):
    list_command = "listLoadBalancerRules"
    key = "loadbalancerrule"
    plural = "loadbalancer_rules"
    owned = True
    tenant = True
    options = {
        "name": {"type": "str"},
        "ip_address": {"type": "str", "aliases": ["public_ip"]},
        "network": {"type": "str"},
        "zone": {"type": "str"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("ip_address", "publicipid", ref="ip_address"),
        Field("network", "networkid", ref="network"),
        Field("zone", "zoneid", ref="zone"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = LOAD_BALANCER


def main():
    LoadBalancerRuleInfo.main()


if __name__ == "__main__":
    main()
