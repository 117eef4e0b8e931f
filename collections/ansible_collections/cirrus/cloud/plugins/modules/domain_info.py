#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: domain_info
short_description: Lists domains the caller may see
description:
  - Lists the domains the caller may see (C(listDomains)), filtered on the server by name,
    id or path.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the domains.
    type: str
  path:
    description: Path of the domain, for example V(ROOT/customers).
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: The customers domain
  cirrus.cloud.domain_info:
    path: ROOT/customers
  register: found
"""

RETURN = r"""
domains:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the domain.
      returned: success
      type: str
    name:
      description: Name of the domain.
      returned: success
      type: str
      sample: customers
    path:
      description: Path of the domain.
      returned: success
      type: str
      sample: ROOT/customers
    level:
      description: Depth of the domain (ROOT is 0).
      returned: success
      type: int
      sample: 1
    parent_domain_id:
      description: Id of the parent domain.
      returned: success
      type: str
    parent_domain:
      description: Name of the parent domain.
      returned: success
      type: str
      sample: ROOT
    network_domain:
      description: DNS domain of the domain's networks.
      returned: success
      type: str
    has_child:
      description: Whether the domain has sub-domains.
      returned: success
      type: bool
      sample: false
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import DOMAIN


class DomainInfo(InfoModule):
    list_command = "listDomains"
    key = "domain"
    plural = "domains"
    constant = {"listall": True}
    options = {
        "name": {"type": "str"},
        "path": {"type": "str"},
    }
    mutually_exclusive = [["name", "path"]]
    filters = (
        Field("name", "name"),
    )
    returns = DOMAIN

    def run(self):
        if self.params["path"] is None:
            super().run()
            return
        found = self.find_domain(self.params["path"])
        self.result[self.plural] = [self.returned(found)] if found else []


def main():
    DomainInfo.main()


if __name__ == "__main__":
    main()
