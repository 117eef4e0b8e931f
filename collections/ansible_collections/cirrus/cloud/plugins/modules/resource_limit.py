#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: resource_limit
short_description: Manages resource limits of domains and accounts
description:
  - Sets how many of a kind of resource an account, or a domain, may have
    (C(updateResourceLimit)); compares with C(listResourceLimits) first.
  - Without O(account) and O(domain) the limit is the caller's domain's.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  resource_type:
    description: Kind of resource.
    type: str
    required: true
    choices: [instance, ip_address, volume, snapshot, template]
    aliases: [type]
  limit:
    description: Maximum number of the resource; V(-1) for no limit.
    type: int
    default: -1
    aliases: [max]
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain (of O(account), when set).
    type: str
  account:
    description: Name of the account whose limit is set (with O(domain)).
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: At most 20 VMs for an account
  cirrus.cloud.resource_limit:
    resource_type: instance
    limit: 20
    account: acme
    domain: ROOT/customers
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    first,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import RESOURCE_LIMIT

RESOURCE_TYPES = {"instance": 0, "ip_address": 1, "volume": 2, "snapshot": 3, "template": 4}


class ResourceLimit(ResourceModule):
    noun = "resource limit"
    key = "resourcelimit"
    list_command = "listResourceLimits"
    update_command = "updateResourceLimit"
    options = {
        "resource_type": {"type": "str", "required": True, "choices": list(RESOURCE_TYPES),
                          "aliases": ["type"]},
        "limit": {"type": "int", "default": -1, "aliases": ["max"]},
        "domain": {"type": "str"},
        "account": {"type": "str"},
    }
    required_by = {"account": "domain"}
    fields = (
        Field("resource_type", "resourcetype", values=RESOURCE_TYPES, create=False,
              required=True),
        Field("limit", "max", create=False),
        Field("domain", "domainid", ref="domain", create=False),
        Field("account", "account", create=False),
    )
    returns = RESOURCE_LIMIT

    def owner(self):
        return {"resourcetype": RESOURCE_TYPES[self.params["resource_type"]],
                "domainid": self.ref_id("domain"), "account": self.params["account"]}

    def get(self):
        return self.find(self.list_command, self.key, **self.owner())

    def run(self):
        current = self.get()
        if current is None:
            self.fail(f"no {self.params['resource_type']} limit listed for that owner")
        limit = self.params["limit"]
        if int(current.get("max", -1)) != limit:
            self.changed({"limit": int(current.get("max", -1))}, {"limit": limit})
            if self.module.check_mode:
                current = dict(current, max=limit)
            else:
                answer = self.client.call(self.update_command, max=limit, **self.owner())
                current = first(answer, self.key) or self.get()
        self.result.update(self.returned(current))
        self.result["diff"] = {"before": self.before, "after": self.after}


def main():
    ResourceLimit.main()


if __name__ == "__main__":
    main()
