#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: domain
short_description: Manages domains
description:
  - Creates, updates and removes domains (C(createDomain), C(updateDomain),
    C(deleteDomain)); the parent domain must exist.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  path:
    description:
      - Path of the domain, for example V(ROOT/customers/acme); the V(ROOT/) prefix may be
        left out.
    type: str
    required: true
  network_domain:
    description: DNS domain of the networks of the domain.
    type: str
  clean_up:
    description:
      - When removing the domain, also remove its sub-domains and accounts; without it a
        domain that has any is not removed.
    type: bool
    default: false
  state:
    description: Whether the domain is present or absent.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: A domain for customers, and one for a customer in it
  cirrus.cloud.domain:
    path: "{{ item }}"
  loop:
    - ROOT/customers
    - ROOT/customers/acme

- name: Remove a customer with everything it has
  cirrus.cloud.domain:
    path: ROOT/customers/acme
    clean_up: true
    state: absent
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    normalize_path,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import DOMAIN


class Domain(ResourceModule):
    noun = "domain"
    key = "domain"
    list_command = "listDomains"
    create_command = "createDomain"
    update_command = "updateDomain"
    delete_command = "deleteDomain"
    implicit = ("name",)
    options = {
        "path": {"type": "str", "required": True},
        "network_domain": {"type": "str"},
        "clean_up": {"type": "bool", "default": False},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    }
    fields = (
        Field("network_domain", "networkdomain"),
    )
    returns = DOMAIN

    def __init__(self, module):
        super().__init__(module)
        self.path = normalize_path(self.params["path"])

    def get(self):
        if self.path == "ROOT" and self.params["state"] == "absent":
            self.fail("the ROOT domain cannot be removed")
        return self.find_domain(self.params["path"])

    def create_defaults(self):
        parent, name = self.path.rsplit("/", 1)
        return {"name": name, "parentdomainid": self.ref_id("domain", parent)}

    def delete_params(self, current):
        return {"id": current["id"], "cleanup": self.params["clean_up"]}

    def title(self, current):
        return repr(self.path)


def main():
    Domain.main()


if __name__ == "__main__":
    main()
