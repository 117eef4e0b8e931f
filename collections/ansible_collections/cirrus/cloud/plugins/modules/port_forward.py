#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: port_forward
short_description: Manages port forwarding rules
description:
  - Forwards public ports of an IP address to a virtual machine and removes the rule
    (C(createPortForwardingRule), C(deletePortForwardingRule)).
  - A rule is found by its address, O(protocol) and O(public_port); the API cannot change
    a rule, so a different machine or private port fails the module (remove the rule
    first).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  ip_address:
    description: The public address of the rule.
    type: str
    required: true
  protocol:
    description: Protocol of the rule.
    type: str
    choices: [tcp, udp]
    default: tcp
  public_port:
    description: First public port of the rule.
    type: int
    required: true
  public_end_port:
    description: Last public port of a range; O(public_port) alone when not set.
    type: int
  private_port:
    description: First port on the machine; needed to create the rule.
    type: int
  private_end_port:
    description: Last port on the machine of a range.
    type: int
  vm:
    description: Name or id of the virtual machine; needed to create the rule.
    type: str
  cidrs:
    description: Source networks the rule forwards; any when not set.
    type: list
    elements: str
    aliases: [cidr]
  open_firewall:
    description: Whether a firewall rule for the same ports and sources is created with it.
    type: bool
    default: false
  zone:
    description: Name or id of the zone of the address and the machine.
    type: str
  state:
    description: Whether the rule is present or absent.
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
- name: SSH to web-1 on port 2222
  cirrus.cloud.port_forward:
    ip_address: 192.0.2.23
    public_port: 2222
    private_port: 22
    vm: web-1
    open_firewall: true
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    text,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import PORT_FORWARD


class PortForward(ResourceModule):
    noun = "port forwarding rule"
    key = "portforwardingrule"
    list_command = "listPortForwardingRules"
    create_command = "createPortForwardingRule"
    delete_command = "deletePortForwardingRule"
    tenant = True
    options = {
        "ip_address": {"type": "str", "required": True},
        "protocol": {"type": "str", "default": "tcp", "choices": ["tcp", "udp"]},
        "public_port": {"type": "int", "required": True},
        "public_end_port": {"type": "int"},
        "private_port": {"type": "int"},
        "private_end_port": {"type": "int"},
        "vm": {"type": "str"},
        "cidrs": {"type": "list", "elements": "str", "aliases": ["cidr"]},
        "open_firewall": {"type": "bool", "default": False},
        "zone": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    fields = (
        Field("ip_address", "ipaddressid", ref="ip_address", mutable=False, required=True),
        Field("protocol", "protocol", mutable=False, required=True, casefold=True),
        Field("public_port", "publicport", mutable=False, required=True),
        Field("public_end_port", "publicendport", mutable=False),
        Field("private_port", "privateport", mutable=False, required=True),
        Field("private_end_port", "privateendport", mutable=False),
        Field("vm", "virtualmachineid", ref="vm", mutable=False, required=True),
        Field("cidrs", "cidrlist", mutable=False),
        Field("open_firewall", "openfirewall", mutable=False, compare=False),
    )
    returns = PORT_FORWARD

    def get(self):
        absent = self.params["state"] == "absent"
        ip_id = self.ref_id("ip_address", missing_ok=absent)
        owner = self.owner(missing_ok=absent)
        if ip_id is None or owner is None:
            return None
        self.ip_id = ip_id
        protocol = self.params["protocol"]
        port = self.params["public_port"]
        rules = [rule for rule in self.list_objects(self.list_command, self.key,
                                                    ipaddressid=ip_id, **owner)
                 if text(rule.get("protocol")).lower() == protocol
                 and text(rule.get("publicport")) == text(port)]
        return rules[0] if rules else None

    def wanted(self):
        out = super().wanted()
        out.pop(self.fields[0], None)  # the address the rule was looked up by
        return out

    def create_defaults(self):
        return {"ipaddressid": self.ip_id}

    def title(self, current):
        return f"{self.params['public_port']}/{self.params['protocol']} of " \
               f"{self.params['ip_address']}"


def main():
    PortForward.main()


if __name__ == "__main__":
    main()
