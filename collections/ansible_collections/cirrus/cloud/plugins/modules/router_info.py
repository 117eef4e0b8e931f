#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: router_info
short_description: Lists virtual routers the caller may see
description:
  - Lists virtual routers (administrators only) (C(listRouters)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the router.
    type: str
  network:
    description: Name or id of the network of the router.
    type: str
  zone:
    description: Name or id of the zone.
    type: str
  router_state:
    description: State of the routers, for example V(Running).
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
  cirrus.cloud.router_info:
    zone: zone-1
    router_state: Stopped
  register: found
"""

RETURN = r"""
routers:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the router.
      returned: success
      type: str
    name:
      description: Name of the router.
      returned: success
      type: str
      sample: r-12-VM
    router_state:
      description: "State of the router: Running, Stopped, Starting, Stopping, ..."
      returned: success
      type: str
      sample: Running
    zone:
      description: Name of the zone of the router.
      returned: success
      type: str
    zone_id:
      description: Id of that zone.
      returned: success
      type: str
    dns1:
      description: First DNS server of the router.
      returned: success
      type: str
    dns2:
      description: Second DNS server of the router.
      returned: success
      type: str
    network_domain:
      description: DNS domain the router serves.
      returned: success
      type: str
    gateway:
      description: Public gateway of the router.
      returned: success
      type: str
    public_ip:
      description: Public address of the router.
      returned: success
      type: str
    guest_ip_address:
      description: Address of the router on its guest network.
      returned: success
      type: str
    network:
      description: Name of the guest network of the router.
      returned: success
      type: str
    network_id:
      description: Id of that network.
      returned: success
      type: str
    host:
      description: Name of the host of the router.
      returned: success
      type: str
    host_id:
      description: Id of that host.
      returned: success
      type: str
    link_local_ip:
      description: Link-local address of the router.
      returned: success
      type: str
    account:
      description: Account of the router's network.
      returned: success
      type: str
    domain:
      description: Domain of that account.
      returned: success
      type: str
    domain_id:
      description: Id of that domain.
      returned: success
      type: str
    created:
      description: When the router was made.
      returned: success
      type: str
    role:
      description: Role of the router.
      returned: success
      type: str
    requires_upgrade:
      description: Whether the router runs an older system VM image than the cloud's.
      returned: success
      type: bool
    redundant_state:
      description: Redundancy state of the router.
      returned: success
      type: str
    version:
      description: Version of the router's image.
      returned: success
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import ROUTER


class RouterInfo(InfoModule):
    list_command = "listRouters"
    key = "router"
    plural = "routers"
    owned = True
    tenant = True
    options = {
        "name": {"type": "str"},
        "network": {"type": "str"},
        "zone": {"type": "str"},
        "router_state": {"type": "str"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("network", "networkid", ref="network"),
        Field("zone", "zoneid", ref="zone"),
        Field("router_state", "state"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = ROUTER


def main():
    RouterInfo.main()


if __name__ == "__main__":
    main()
