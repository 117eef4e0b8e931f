#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: security_group_info
short_description: Lists security groups the caller may see
description:
  - Lists security groups (C(listSecurityGroups)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the group.
    type: str
  vm:
    description: Name or id of a virtual machine whose groups are listed.
    type: str
  zone:
    description: Name or id of the zone of O(vm).
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
  cirrus.cloud.security_group_info:
    name: web
  register: found
"""

RETURN = r"""
security_groups:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import SECURITY_GROUP


class SecurityGroupInfo(InfoModule):
    list_command = "listSecurityGroups"
    key = "securitygroup"
    plural = "security_groups"
    owned = True
    tenant = True
    name_param = "securitygroupname"
    options = {
        "name": {"type": "str"},
        "vm": {"type": "str"},
        "zone": {"type": "str"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "securitygroupname"),
        Field("vm", "virtualmachineid", ref="vm"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = SECURITY_GROUP


def main():
    SecurityGroupInfo.main()


if __name__ == "__main__":
    main()
