#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: resource_limit_info
short_description: Lists resource limits
description:
  - Lists the effective resource limits of an account or a domain
    (C(listResourceLimits)); the caller's own without O(account) and O(domain).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  resource_type:
    description: Kind of resource.
    type: str
    choices: [instance, ip_address, volume, snapshot, template]
    aliases: [type]
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain (of O(account), when set).
    type: str
  account:
    description: Name of the account (with O(domain)).
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: The limits of an account
  cirrus.cloud.resource_limit_info:
    account: acme
    domain: ROOT/customers
  register: limits
"""

RETURN = r"""
resource_limits:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    resource_type:
      description: "Resource type number: 0 instance, 1 ip_address, 2 volume, 3 snapshot, 4 template."
      returned: success
      type: str
      sample: "0"
    resource_type_name:
      description: Resource type name.
      returned: success
      type: str
      sample: user_vm
    limit:
      description: Maximum number of the resource; -1 is unlimited.
      returned: success
      type: int
      sample: 20
    account:
      description: Account of the limit (absent for a domain's limit).
      returned: success
      type: str
    domain:
      description: Name of the domain of the limit.
      returned: success
      type: str
      sample: ROOT
    domain_id:
      description: Id of the domain of the limit.
      returned: success
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import RESOURCE_LIMIT

RESOURCE_TYPES = {"instance": 0, "ip_address": 1, "volume": 2, "snapshot": 3, "template": 4}


class ResourceLimitInfo(InfoModule):
    list_command = "listResourceLimits"
    key = "resourcelimit"
    plural = "resource_limits"
    options = {
        "resource_type": {"type": "str", "choices": list(RESOURCE_TYPES), "aliases": ["type"]},
        "domain": {"type": "str"},
        "account": {"type": "str"},
    }
    required_by = {"account": "domain"}
    filters = (
        Field("resource_type", "resourcetype", values=RESOURCE_TYPES),
        Field("domain", "domainid", ref="domain"),
        Field("account", "account"),
    )
    returns = RESOURCE_LIMIT


def main():
    ResourceLimitInfo.main()


if __name__ == "__main__":
    main()
