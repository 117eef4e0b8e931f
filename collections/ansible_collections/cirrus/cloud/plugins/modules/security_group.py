#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: security_group
short_description: Manages security groups
description:
  - Creates and deletes security groups (C(createSecurityGroup),
    C(deleteSecurityGroup)); C(cirrus.cloud.security_group_rule) manages their rules.
    The API cannot change a group's description, so a different one fails the module.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the group.
    type: str
    required: true
  description:
    description: Description of the group.
    type: str
  state:
    description: Whether the group is present or absent.
    type: str
    choices: [present, absent]
    default: present
  account:
    description: Account of the group (with O(domain)); the caller's own when not set.
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
- name: The web servers' group
  cirrus.cloud.security_group:
    name: web
    description: Web servers
"""

RETURN = r"""
id:
  description: Id of the group.
  returned: success
  type: str
name:
  description: Name of the group.
  returned: success
  type: str
  sample: web
description:
  description: Description of the group.
  returned: success
  type: str
account:
  description: Account of the group.
  returned: success
  type: str
domain:
  description: Domain of the group.
  returned: success
  type: str
domain_id:
  description: Id of that domain.
  returned: success
  type: str
ingress_rules:
  description: Ingress rules of the group (ruleid, protocol, startport, endport, icmptype, icmpcode, cidr or securitygroupname and account).
  returned: success
  type: list
  elements: dict
egress_rules:
  description: Egress rules of the group (the same fields).
  returned: success
  type: list
  elements: dict
vm_count:
  description: Number of machines in the group.
  returned: success
  type: int
vm_ids:
  description: Ids of the machines in the group.
  returned: success
  type: list
  elements: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import SECURITY_GROUP


class SecurityGroup(ResourceModule):
    noun = "security group"
    key = "securitygroup"
    list_command = "listSecurityGroups"
    create_command = "createSecurityGroup"
    delete_command = "deleteSecurityGroup"
    tenant = True
    options = {
        "name": {"type": "str", "required": True},
        "description": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    fields = (
        Field("name", "name", mutable=False, required=True),
        Field("description", "description", mutable=False),
        Field("account", "account", mutable=False, compare=False),
        Field("domain", "domainid", ref="domain", mutable=False, compare=False),
    )
    returns = SECURITY_GROUP

    def get(self):
        owner = self.owner(missing_ok=self.params["state"] == "absent")
        if owner is None:
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name},
                         securitygroupname=name, **owner)

    def create_defaults(self):
        return dict(self.owner())


def main():
    SecurityGroup.main()


if __name__ == "__main__":
    main()
