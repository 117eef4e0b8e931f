#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpn_user_info
short_description: Lists VPN users the caller may see
description:
  - Lists remote access VPN users (C(listVpnUsers)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  username:
    description: Login name of the user.
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
  cirrus.cloud.vpn_user_info:
    account: acme
    domain: ROOT/customers
  register: found
"""

RETURN = r"""
vpn_users:
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import VPN_USER


class VpnUserInfo(InfoModule):
    list_command = "listVpnUsers"
    key = "vpnuser"
    plural = "vpn_users"
    owned = True
    tenant = True
    name_key = "username"
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
    returns = VPN_USER


def main():
    VpnUserInfo.main()


if __name__ == "__main__":
    main()
