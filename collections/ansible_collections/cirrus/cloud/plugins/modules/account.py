#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: account
short_description: Manages accounts
description:
  - Creates accounts with their first user, updates, enables, disables, locks and removes
    them (C(createAccount), C(updateAccount), C(enableAccount), C(disableAccount),
    C(lockAccount), C(deleteAccount)).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the account.
    type: str
    required: true
  domain:
    description: Path (V(ROOT/a/b)) or id of the account's domain.
    type: str
    default: ROOT
  state:
    description:
      - V(enabled), V(disabled) and V(locked) set the state of a present account;
        V(unlocked) is V(enabled).
      - V(absent) deletes the account with everything it owns (its machines are expunged;
        its networks, addresses, volumes, snapshots and templates are deleted), as
        C(deleteAccount) does.
    type: str
    choices: [present, absent, enabled, disabled, locked, unlocked]
    default: present
  account_type:
    description:
      - Type of the account; V(user) when the account is created without it. Cannot change
        afterwards.
    type: str
    choices: [user, root_admin, domain_admin]
  network_domain:
    description: DNS domain of the account's networks.
    type: str
  username:
    description: Login name of the first user; needed to create the account.
    type: str
  password:
    description: Password of the first user; needed to create the account (not compared).
    type: str
  first_name:
    description: First name of the first user; needed to create the account.
    type: str
  last_name:
    description: Last name of the first user; needed to create the account.
    type: str
  email:
    description: E-mail address of the first user; needed to create the account.
    type: str
  timezone:
    description: Time zone of the first user.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: A customer account
  cirrus.cloud.account:
    name: acme
    domain: ROOT/customers
    username: acme-admin
    password: "{{ acme_password }}"
    first_name: Ada
    last_name: Admin
    email: admin@acme.example

- name: Lock it
  cirrus.cloud.account:
    name: acme
    domain: ROOT/customers
    state: locked
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    first,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import ACCOUNT

ACCOUNT_TYPES = {"user": 0, "root_admin": 1, "domain_admin": 2}
STATES = {"enabled": "enabled", "unlocked": "enabled", "disabled": "disabled",
          "locked": "locked"}


class Account(ResourceModule):
    noun = "account"
    key = "account"
    list_command = "listAccounts"
    create_command = "createAccount"
    update_command = "updateAccount"
    delete_command = "deleteAccount"
    implicit = ("accounttype",)
    options = {
        "name": {"type": "str", "required": True},
        "domain": {"type": "str", "default": "ROOT"},
        "state": {"type": "str", "default": "present",
                  "choices": ["present", "absent", "enabled", "disabled", "locked",
                              "unlocked"]},
        "account_type": {"type": "str", "choices": list(ACCOUNT_TYPES)},
        "network_domain": {"type": "str"},
        "username": {"type": "str"},
        "password": {"type": "str", "no_log": True},
        "first_name": {"type": "str"},
        "last_name": {"type": "str"},
        "email": {"type": "str"},
        "timezone": {"type": "str"},
    }
    fields = (
        Field("name", "account", key="name", mutable=False),
        Field("domain", "domainid", ref="domain", mutable=False),
        Field("account_type", "accounttype", values=ACCOUNT_TYPES, mutable=False,
              required=True),
        Field("network_domain", "networkdomain"),
        Field("username", "username", mutable=False, required=True, compare=False),
        Field("password", "password", mutable=False, required=True, compare=False),
        Field("first_name", "firstname", mutable=False, required=True, compare=False),
        Field("last_name", "lastname", mutable=False, required=True, compare=False),
        Field("email", "email", mutable=False, required=True, compare=False),
        Field("timezone", "timezone", mutable=False, compare=False),
    )
    returns = ACCOUNT

    def get(self):
        domain_id = self.ref_id("domain", missing_ok=self.params["state"] == "absent")
        if domain_id is None:
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name}, name=name,
                         domainid=domain_id)

    def create_defaults(self):
        return {"accounttype": ACCOUNT_TYPES["user"]}

    def ensure_state(self, current, state):
        wanted = STATES.get(state)
        if wanted is None or current is None or current.get("state") == wanted:
            return current
        self.changed({"state": current.get("state")}, {"state": wanted})
        if self.module.check_mode or "id" not in current:
            return dict(current, state=wanted)
        if wanted == "enabled":
            answer = self.client.call("enableAccount", id=current["id"])
        elif wanted == "locked":
            answer = self.client.call("lockAccount", account=current["name"],
                                      domainid=current["domainid"])
        else:
            answer = self.client.call("disableAccount", id=current["id"], lock=False)
        return first(answer, self.key) or self.get()


def main():
    Account.main()


if __name__ == "__main__":
    main()
