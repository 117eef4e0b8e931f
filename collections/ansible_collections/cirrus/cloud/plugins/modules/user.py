#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: user
short_description: Manages users of accounts
description:
  - Creates, updates, enables, disables and removes the users of an account
    (C(createUser), C(updateUser), C(enableUser), C(disableUser), C(deleteUser)), and
    gives them API keys (C(registerUserKeys)).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  username:
    description: Login name of the user.
    type: str
    required: true
  account:
    description: Name of the user's account; needed to create the user.
    type: str
  domain:
    description: Path (V(ROOT/a/b)) or id of the account's domain.
    type: str
    default: ROOT
  state:
    description:
      - V(enabled) and V(disabled) set the state of a present user.
    type: str
    choices: [present, absent, enabled, disabled]
    default: present
  first_name:
    description: First name; needed to create the user.
    type: str
  last_name:
    description: Last name; needed to create the user.
    type: str
  email:
    description: E-mail address; needed to create the user.
    type: str
  timezone:
    description: Time zone of the user.
    type: str
  password:
    description:
      - Password; needed to create the user. The API never shows it, so it is set again
        only with O(update_password=always).
    type: str
  update_password:
    description:
      - V(on_create) sets O(password) only when creating the user; V(always) sets it on
        every run (always reporting a change).
    type: str
    choices: [always, on_create]
    default: on_create
  keys_registered:
    description:
      - Whether the user should have API keys; they are generated when missing and
        returned in RV(user_api_key) and RV(user_api_secret).
    type: bool
    default: false
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: A user with API keys
  cirrus.cloud.user:
    username: alice
    account: acme
    domain: ROOT/customers
    first_name: Alice
    last_name: Doe
    email: alice@acme.example
    password: "{{ alice_password }}"
    keys_registered: true
  register: alice

- name: Disable her
  cirrus.cloud.user:
    username: alice
    account: acme
    domain: ROOT/customers
    state: disabled
"""

RETURN = r"""
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
user_api_secret:
  description: Secret key of the user.
  returned: with O(keys_registered=true)
  type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    first,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import USER


class User(ResourceModule):
    noun = "user"
    key = "user"
    list_command = "listUsers"
    create_command = "createUser"
    update_command = "updateUser"
    delete_command = "deleteUser"
    options = {
        "username": {"type": "str", "required": True},
        "account": {"type": "str"},
        "domain": {"type": "str", "default": "ROOT"},
        "state": {"type": "str", "default": "present",
                  "choices": ["present", "absent", "enabled", "disabled"]},
        "first_name": {"type": "str"},
        "last_name": {"type": "str"},
        "email": {"type": "str"},
        "timezone": {"type": "str"},
        "password": {"type": "str", "no_log": True},
        "update_password": {"type": "str", "default": "on_create",
                            "choices": ["always", "on_create"], "no_log": False},
        "keys_registered": {"type": "bool", "default": False, "no_log": False},
    }
    fields = (
        Field("username", "username", required=True),
        Field("account", "account", mutable=False, required=True),
        Field("domain", "domainid", ref="domain", mutable=False),
        Field("first_name", "firstname", required=True),
        Field("last_name", "lastname", required=True),
        Field("email", "email", required=True),
        Field("timezone", "timezone"),
        Field("password", "password", required=True, compare=False),
    )
    returns = USER
    computed = ("user_api_secret",)

    def get(self):
        domain_id = self.ref_id("domain", missing_ok=self.params["state"] == "absent")
        if domain_id is None:
            return None
        username = self.params["username"]
        scope = {"domainid": domain_id, "account": self.params["account"]}
        return self.find(self.list_command, self.key, match={"username": username},
                         username=username, **scope)

    def ensure(self, current):
        existed = current is not None
        current = super().ensure(current)
        if existed and current and self.params["update_password"] == "always" \
                and self.params["password"]:
            self.changed({"password": "(set)"}, {"password": "(set again)"})
            if not self.module.check_mode:
                current = first(self.client.call("updateUser", id=current["id"],
                                                 password=self.params["password"]),
                                self.key) or current
        return current

    def ensure_state(self, current, state):
        if current is None:
            return current
        if state in ("enabled", "disabled") and current.get("state") != state:
            self.changed({"state": current.get("state")}, {"state": state})
            if self.module.check_mode or "id" not in current:
                current = dict(current, state=state)
            else:
                command = "enableUser" if state == "enabled" else "disableUser"
                current = first(self.client.call(command, id=current["id"]),
                                self.key) or self.get()
        if self.params["keys_registered"] and current:
            current = self.keys(current)
        return current

    def keys(self, current):
        if "id" not in current:  # check mode: the user is not created
            self.changed({}, {"keys_registered": True})
            return current
        if current.get("apikey"):
            keys = self.client.call("getUserKeys", id=current["id"]).get("userkeys", {})
        else:
            self.changed({"keys_registered": False}, {"keys_registered": True})
            if self.module.check_mode:
                return current
            keys = self.client.call("registerUserKeys", id=current["id"]).get("userkeys", {})
        self.result["user_api_secret"] = keys.get("secretkey")
        return dict(current, apikey=keys.get("apikey"))


def main():
    User.main()


if __name__ == "__main__":
    main()
