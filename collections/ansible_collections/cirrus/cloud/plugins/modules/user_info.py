#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: user_info
short_description: Lists users the caller may see
description:
  - Lists users the caller may see (C(listUsers)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  username:
    description: Login name of the user.
    type: str
  account:
    description: Name of the users' account (with O(domain)).
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
  cirrus.cloud.user_info:
    account: acme
    domain: ROOT/customers
  register: found
"""

RETURN = r"""
users:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the user.
      returned: success
      type: str
    username:
      description: Login name of the user.
      returned: success
      type: str
      sample: alice
    first_name:
      description: First name.
      returned: success
      type: str
      sample: Alice
    last_name:
      description: Last name.
      returned: success
      type: str
      sample: Doe
    email:
      description: E-mail address.
      returned: success
      type: str
      sample: "alice@example.org"
    account:
      description: Name of the user's account.
      returned: success
      type: str
      sample: acme
    account_id:
      description: Id of the user's account.
      returned: success
      type: str
    account_type:
      description: Type of the user's account.
      returned: success
      type: int
      sample: 0
    domain:
      description: Name of the user's domain.
      returned: success
      type: str
      sample: customers
    domain_id:
      description: Id of the user's domain.
      returned: success
      type: str
    user_state:
      description: "State of the user: enabled, disabled or locked."
      returned: success
      type: str
      sample: enabled
    timezone:
      description: Time zone of the user.
      returned: success
      type: str
    user_api_key:
      description: API key of the user, when it has one.
      returned: success
      type: str
    created:
      description: When the user was created.
      returned: success
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import USER


class UserInfo(InfoModule):
    list_command = "listUsers"
    key = "user"
    plural = "users"
    owned = True
    name_key = "username"
    required_by = {"account": "domain"}
    options = {
        "username": {"type": "str"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("username", "username"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = USER


def main():
    UserInfo.main()


if __name__ == "__main__":
    main()
