#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: zone_info
short_description: Lists zones
description:
  - Lists zones (C(listZones)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the zone.
    type: str
    aliases: [zone]
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: List them
  cirrus.cloud.zone_info:
    name: zone-1
  register: found
"""

RETURN = r"""
zones:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the zone.
      returned: success
      type: str
      sample: 04589590-ac63-4ffc-93f5-b698b8ac38b6
    name:
      description: Name of the zone.
      returned: success
      type: str
      sample: zone-1
    network_type:
      description: Network type of the zone.
      returned: success
      type: str
      sample: Advanced
    dns1:
      description: First public DNS server.
      returned: success
      type: str
      sample: "203.0.113.53"
    dns2:
      description: Second public DNS server.
      returned: success
      type: str
    internal_dns1:
      description: First DNS server of the management network.
      returned: success
      type: str
      sample: "172.16.0.53"
    internal_dns2:
      description: Second DNS server of the management network.
      returned: success
      type: str
    guest_cidr_address:
      description: Guest CIDR of the zone.
      returned: success
      type: str
      sample: 10.1.1.0/24
    vlan:
      description: Guest VLAN (or VXLAN VNI) range.
      returned: success
      type: str
      sample: 100-199
    isolation_method:
      description: Guest isolation method.
      returned: success
      type: str
      sample: vlan
    network_domain:
      description: DNS domain of the guest networks.
      returned: success
      type: str
    domain:
      description: Name of the domain the zone is dedicated to.
      returned: success
      type: str
    domain_id:
      description: Id of the domain the zone is dedicated to.
      returned: success
      type: str
    allocation_state:
      description: Allocation state of the zone.
      returned: success
      type: str
      sample: Enabled
    securitygroups_enabled:
      description: Whether the zone uses security groups.
      returned: success
      type: bool
      sample: false
    local_storage_enabled:
      description: Whether local storage offerings may be used.
      returned: success
      type: bool
      sample: false
    dhcp_provider:
      description: DHCP provider of the zone.
      returned: success
      type: str
      sample: VirtualRouter
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import ZONE


class ZoneInfo(InfoModule):
    list_command = "listZones"
    key = "zone"
    plural = "zones"
    options = {
        "name": {"type": "str", "aliases": ["zone"]},
    }
    filters = (
        Field("name", "name"),
    )
    returns = ZONE


def main():
    ZoneInfo.main()


if __name__ == "__main__":
    main()
