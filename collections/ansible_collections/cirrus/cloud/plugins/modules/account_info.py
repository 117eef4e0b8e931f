#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: account_info
short_description: Lists accounts the caller may see
description:
  - Lists accounts the caller may see (C(listAccounts)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the account.
    type: str
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: List them
  cirrus.cloud.account_info:
    domain: ROOT/customers
  register: found
"""

RETURN = r"""
accounts:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the account.
      returned: success
      type: str
    name:
      description: Name of the account.
      returned: success
      type: str
      sample: acme
    account_type:
      description: "Type of the account: 0 user, 1 root admin, 2 domain admin."
      returned: success
      type: int
      sample: 0
    role_type:
      description: "Role of the account: User, Admin or DomainAdmin."
      returned: success
      type: str
      sample: User
    domain:
      description: Name of the account's domain.
      returned: success
      type: str
      sample: customers
    domain_id:
      description: Id of the account's domain.
      returned: success
      type: str
    domain_path:
      description: Path of the account's domain.
      returned: success
      type: str
      sample: ROOT/customers
    account_state:
      description: "State of the account: enabled, disabled or locked."
      returned: success
      type: str
      sample: enabled
    network_domain:
      description: DNS domain of the account's networks.
      returned: success
      type: str
    created:
      description: When the account was created.
      returned: success
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import ACCOUNT


class AccountInfo(InfoModule):
    list_command = "listAccounts"
    key = "account"
    plural = "accounts"
    owned = True
    options = {
        "name": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = ACCOUNT


def main():
    AccountInfo.main()


if __name__ == "__main__":
    main()
