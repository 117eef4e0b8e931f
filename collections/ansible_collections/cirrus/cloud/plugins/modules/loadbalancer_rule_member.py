#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: loadbalancer_rule_member
short_description: Manages the virtual machines of load balancer rules
description:
  - Adds virtual machines to a load balancer rule and takes them out
    (C(assignToLoadBalancerRule), C(removeFromLoadBalancerRule)); other members of the
    rule are left alone.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the load balancer rule.
    type: str
    required: true
  ip_address:
    description: The public address of the rule, when the name alone is ambiguous.
    type: str
    aliases: [public_ip]
  vms:
    description: Names or ids of the virtual machines.
    type: list
    elements: str
    required: true
    aliases: [vm]
  zone:
    description: Name or id of the zone of the address and the machines.
    type: str
  state:
    description: Whether the machines are members of the rule (V(present)) or not.
    type: str
    choices: [present, absent]
    default: present
  account:
    description: Account of the rule and the machines (with O(domain)); the caller's own when not set.
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
- name: Both web servers behind web-http
  cirrus.cloud.loadbalancer_rule_member:
    name: web-http
    vms: [web-1, web-2]
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
description:
  description: Description of the rule.
  returned: success
  type: str
algorithm:
  description: Algorithm of the rule.
  returned: success
  type: str
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
private_port:
  description: Port on the machines.
  returned: success
  type: str
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
  description: State of the rule.
  returned: success
  type: str
vms:
  description: Names of the machines of the rule after the run.
  returned: success
  type: list
  elements: str
  sample: [web-1, web-2]
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import LOAD_BALANCER


class LoadBalancerRuleMember(ResourceModule):
    noun = "load balancer rule"
    key = "loadbalancerrule"
    list_command = "listLoadBalancerRules"
    create_command = "assignToLoadBalancerRule"
    delete_command = "removeFromLoadBalancerRule"
    tenant = True
    options = {
        "name": {"type": "str", "required": True},
        "ip_address": {"type": "str", "aliases": ["public_ip"]},
        "vms": {"type": "list", "elements": "str", "required": True, "aliases": ["vm"]},
        "zone": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    fields = (
        Field("vms", "virtualmachineids", ref="vm", required=True, compare=False),
    )
    returns = LOAD_BALANCER
    computed = ("vms",)

    def get(self):
        owner = self.owner()
        scope = dict(owner)
        if self.params["ip_address"]:
            scope["publicipid"] = self.ref_id("ip_address")
        name = self.params["name"]
        rule = self.find(self.list_command, self.key, match={"name": name}, name=name,
                         **scope)
        if rule is None:
            self.fail(f"load balancer rule {name!r} not found")
        return rule

    def members(self, rule):
        return {vm["id"]: vm.get("name") for vm in self.list_objects(
            "listLoadBalancerRuleInstances", "loadbalancerruleinstance", id=rule["id"])}

    def run(self):
        rule = self.get()
        members = self.members(rule)
        wanted = {self.ref_id("vm", vm): vm for vm in self.params["vms"]}
        if self.params["state"] == "present":
            change = [vm_id for vm_id in wanted if vm_id not in members]
            after = dict(members, **{vm_id: wanted[vm_id] for vm_id in change})
            command = self.create_command
        else:
            change = [vm_id for vm_id in wanted if vm_id in members]
            after = {vm_id: name for vm_id, name in members.items() if vm_id not in change}
            command = self.delete_command
        if change:
            self.changed({"vms": sorted(members.values())}, {"vms": sorted(after.values())})
            if not self.module.check_mode:
                self.client.call(command, id=rule["id"], virtualmachineids=change)
                after = self.members(rule)
        self.result.update(self.returned(rule))
        self.result["vms"] = sorted(after.values())
        self.result["diff"] = {"before": self.before, "after": self.after}


def main():
    LoadBalancerRuleMember.main()


if __name__ == "__main__":
    main()
