#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: firewall
short_description: Manages firewall rules of public IP addresses and egress rules of networks
description:
  - Opens ports of a public IP address to source networks (ingress, C(createFirewallRule))
    and lets a network's machines reach destinations (egress,
    C(createEgressFirewallRule)); removes the rules (C(deleteFirewallRule),
    C(deleteEgressFirewallRule)).
  - A rule is found by all its values (protocol, ports or ICMP type and code, source
    networks), so a different value is another rule.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  type:
    description: V(ingress) rules belong to O(ip_address), V(egress) rules to O(network).
    type: str
    choices: [ingress, egress]
    default: ingress
  ip_address:
    description: The public address of an ingress rule.
    type: str
  network:
    description: Name or id of the network of an egress rule.
    type: str
  protocol:
    description: Protocol of the rule.
    type: str
    choices: [tcp, udp, icmp]
    default: tcp
  start_port:
    description: First port of a TCP or UDP rule.
    type: int
    aliases: [port]
  end_port:
    description: Last port of a TCP or UDP rule; O(start_port) alone when not set.
    type: int
  icmp_type:
    description: ICMP type of an ICMP rule; any when not set.
    type: int
  icmp_code:
    description: ICMP code of an ICMP rule; any when not set.
    type: int
  cidrs:
    description:
      - Source networks of an ingress rule; the machines of the network an egress rule
        applies to (all of them when not set).
    type: list
    elements: str
    aliases: [cidr]
  zone:
    description: Name or id of the zone of the address or network.
    type: str
  state:
    description: Whether the rule is present or absent.
    type: str
    choices: [present, absent]
    default: present
  account:
    description: Account of the address or network (with O(domain)); the caller's own when not set.
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
- name: HTTPS from anywhere
  cirrus.cloud.firewall:
    ip_address: 192.0.2.23
    start_port: 443
    cidrs: [0.0.0.0/0]

- name: The web network may reach DNS
  cirrus.cloud.firewall:
    type: egress
    network: web
    zone: zone-1
    protocol: udp
    port: 53
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    as_list,
    text,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import FIREWALL

EGRESS = "createEgressFirewallRule"
ANY = "0.0.0.0/0"


def icmp(value):
    """An ICMP type or code as compared: any (-1, the API's) or a number."""
    return "" if value is None or text(value) == "-1" else text(value)


class Firewall(ResourceModule):
    noun = "firewall rule"
    key = "firewallrule"
    list_command = "listFirewallRules"
    create_command = "createFirewallRule"
    delete_command = "deleteFirewallRule"
    tenant = True
    options = {
        "type": {"type": "str", "default": "ingress", "choices": ["ingress", "egress"]},
        "ip_address": {"type": "str"},
        "network": {"type": "str"},
        "protocol": {"type": "str", "default": "tcp", "choices": ["tcp", "udp", "icmp"]},
        "start_port": {"type": "int", "aliases": ["port"]},
        "end_port": {"type": "int"},
        "icmp_type": {"type": "int"},
        "icmp_code": {"type": "int"},
        "cidrs": {"type": "list", "elements": "str", "aliases": ["cidr"]},
        "zone": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    required_if = [["type", "ingress", ["ip_address"]], ["type", "egress", ["network"]]]
    fields = (
        Field("ip_address", "ipaddressid", ref="ip_address", mutable=False, required=True,
              compare=False),
        Field("network", "networkid", ref="network", mutable=False, compare=False,
              create_with=EGRESS),
        Field("protocol", "protocol", mutable=False, required=True, casefold=True),
        Field("start_port", "startport", mutable=False),
        Field("end_port", "endport", mutable=False),
        Field("icmp_type", "icmptype", mutable=False),
        Field("icmp_code", "icmpcode", mutable=False),
        Field("cidrs", "cidrlist", mutable=False),
    )
    returns = FIREWALL

    def egress(self):
        return self.params["type"] == "egress"

    def get(self):
        absent = self.params["state"] == "absent"
        owner = self.owner(missing_ok=absent)
        if owner is None:
            return None
        if self.egress():
            self.target = {"networkid": self.ref_id("network", missing_ok=absent)}
            command = "listEgressFirewallRules"
        else:
            self.target = {"ipaddressid": self.ref_id("ip_address", missing_ok=absent)}
            command = self.list_command
        if None in self.target.values():
            return None
        rules = [rule for rule in self.list_objects(command, self.key, **self.target,
                                                    **owner) if self.matches(rule)]
        return rules[0] if rules else None

    def matches(self, rule):
        p = self.params
        start = p["start_port"]
        end = p["end_port"] if p["end_port"] is not None else start
        listed = sorted(as_list(rule.get("cidrlist")))
        wanted = sorted(as_list(p["cidrs"])) or [ANY]
        return (text(rule.get("protocol")).lower() == p["protocol"]
                and text(rule.get("startport")) == text(start)
                and text(rule.get("endport")) == text(end)
                and icmp(rule.get("icmptype")) == icmp(p["icmp_type"])
                and icmp(rule.get("icmpcode")) == icmp(p["icmp_code"])
                and (listed or [ANY]) == wanted)

    def wanted(self):
        return {f: v for f, v in super().wanted().items()
                if f.option not in ("ip_address", "network")}

    def create_defaults(self):
        return dict(self.target)

    def create(self, wanted):
        if not self.egress():
            return super().create(wanted)
        params = dict(self.create_defaults())
        params.update({f.param: value for f, value in wanted.items()})
        return self.make(EGRESS, params, wanted)

    def remove(self, current):
        if self.egress():
            self.delete_command = "deleteEgressFirewallRule"
        super().remove(current)

    def title(self, current):
        return f"{self.params['protocol']} {self.params['start_port'] or ''}".rstrip()


def main():
    Firewall.main()


if __name__ == "__main__":
    main()
