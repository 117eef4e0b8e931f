#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpn_user
short_description: Manages remote access VPN users
description:
  - Adds and removes the users who may log in to an account's remote access VPNs
    (C(addVpnUser), C(removeVpnUser)). The API never shows passwords, so a password is
    used when adding the user only.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  username:
    description: Login name of the user.
    type: str
    required: true
  password:
    description: Password of the user; needed to add the user, not compared.
    type: str
  state:
    description: Whether the user is present or absent.
    type: str
    choices: [present, absent]
    default: present
  account:
    description: Account of the user (with O(domain)); the caller's own when not set.
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
- name: Ada may use the VPN
  cirrus.cloud.vpn_user:
    username: ada
    password: "{{ ada_vpn_password }}"
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
  sample: ada
vpn_user_state:
  description: "State of the user: Add until the VPNs have it, then Active."
  returned: success
  type: str
account:
  description: Account of the user.
  returned: success
  type: str
domain:
  description: Domain of the user.
  returned: success
  type: str
domain_id:
  description: Id of that domain.
  returned: success
  type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import VPN_USER


class VpnUser(ResourceModule):
    noun = "VPN user"
    key = "vpnuser"
    list_command = "listVpnUsers"
    create_command = "addVpnUser"
    delete_command = "removeVpnUser"
    delete_key = "username"
    tenant = True
    options = {
        "username": {"type": "str", "required": True},
        "password": {"type": "str", "no_log": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    fields = (
        Field("username", "username", mutable=False, required=True),
        Field("password", "password", mutable=False, required=True, compare=False),
        Field("account", "account", mutable=False, compare=False),
        Field("domain", "domainid", ref="domain", mutable=False, compare=False),
    )
    returns = VPN_USER

    def get(self):
        owner = self.owner(missing_ok=self.params["state"] == "absent")
        if owner is None:
            return None
        username = self.params["username"]
        return self.find(self.list_command, self.key, match={"username": username},
                         username=username, **owner)

    def create_defaults(self):
        return dict(self.owner())

    def delete_params(self, current):
        return {"username": current["username"], **self.owner()}

    def title(self, current):
        return repr(self.params["username"])


def main():
    VpnUser.main()


if __name__ == "__main__":
    main()
