#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: loadbalancer_rule
short_description: Manages load balancer rules
description:
  - Balances a public port of an IP address over virtual machines, changes the rule's
    algorithm and description, and removes it (C(createLoadBalancerRule),
    C(updateLoadBalancerRule), C(deleteLoadBalancerRule)).
    C(cirrus.cloud.loadbalancer_rule_member) chooses the machines.
  - A rule is found by O(name) on its address; the API cannot change its ports,
    protocol or sources, so a different one fails the module.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the rule.
    type: str
    required: true
  ip_address:
    description: The public address of the rule.
    type: str
    required: true
    aliases: [public_ip]
  description:
    description: Description of the rule.
    type: str
  algorithm:
    description: How connections are spread over the machines.
    type: str
    choices: [source, roundrobin, leastconn]
    default: source
  public_port:
    description: Public port of the rule; needed to create it.
    type: int
  private_port:
    description: Port on the machines; needed to create the rule.
    type: int
  protocol:
    description: Protocol of the rule; the cloud takes V(tcp) when not set.
    type: str
    choices: [tcp, udp]
  cidrs:
    description: Source networks the rule takes traffic from; any when not set.
    type: list
    elements: str
    aliases: [cidr]
  open_firewall:
    description: Whether a firewall rule for the public port and sources is created with it.
    type: bool
    default: false
  zone:
    description: Name or id of the zone of the address.
    type: str
  state:
    description: Whether the rule is present or absent.
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
- name: HTTP over the web servers
  cirrus.cloud.loadbalancer_rule:
    name: web-http
    ip_address: 192.0.2.23
    public_port: 80
    private_port: 8080
    algorithm: leastconn
    open_firewall: true
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import LOAD_BALANCER


class LoadBalancerRule(ResourceModule):
    noun = "load balancer rule"
    key = "loadbalancerrule"
    list_command = "listLoadBalancerRules"
    create_command = "createLoadBalancerRule"
    update_command = "updateLoadBalancerRule"
    delete_command = "deleteLoadBalancerRule"
    tenant = True
    options = {
        "name": {"type": "str", "required": True},
        "ip_address": {"type": "str", "required": True, "aliases": ["public_ip"]},
        "description": {"type": "str"},
        "algorithm": {"type": "str", "default": "source",
                      "choices": ["source", "roundrobin", "leastconn"]},
        "public_port": {"type": "int"},
        "private_port": {"type": "int"},
        "protocol": {"type": "str", "choices": ["tcp", "udp"]},
        "cidrs": {"type": "list", "elements": "str", "aliases": ["cidr"]},
        "open_firewall": {"type": "bool", "default": False},
        "zone": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    fields = (
        Field("name", "name", mutable=False, required=True),
        Field("ip_address", "publicipid", ref="ip_address", mutable=False, required=True,
              compare=False),
        Field("description", "description"),
        Field("algorithm", "algorithm", required=True, casefold=True),
        Field("public_port", "publicport", mutable=False, required=True),
        Field("private_port", "privateport", mutable=False, required=True),
        Field("protocol", "protocol", mutable=False, casefold=True),
        Field("cidrs", "cidrlist", mutable=False),
        Field("open_firewall", "openfirewall", mutable=False, compare=False),
    )
    returns = LOAD_BALANCER

    def get(self):
        absent = self.params["state"] == "absent"
        ip_id = self.ref_id("ip_address", missing_ok=absent)
        owner = self.owner(missing_ok=absent)
        if ip_id is None or owner is None:
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name}, name=name,
                         publicipid=ip_id, **owner)


def main():
    LoadBalancerRule.main()


if __name__ == "__main__":
    main()
