#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: zone
short_description: Manages zones
description:
  - Creates, updates, enables, disables and removes zones (C(createZone), C(updateZone),
    C(deleteZone)).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the zone.
    type: str
    required: true
  state:
    description:
      - V(enabled) and V(disabled) set the allocation state of a present zone.
    type: str
    choices: [present, enabled, disabled, absent]
    default: present
  network_type:
    description:
      - Network type of the zone; needed to create it and cannot change afterwards.
    type: str
    choices: [Basic, Advanced]
  dns1:
    description: First public DNS server.
    type: str
  dns2:
    description: Second public DNS server.
    type: str
  internal_dns1:
    description: First DNS server of the management network.
    type: str
  internal_dns2:
    description: Second DNS server of the management network.
    type: str
  guest_cidr_address:
    description: Guest CIDR of the zone's isolated networks.
    type: str
  vlan:
    description: Range of guest VLAN (or VXLAN VNI) ids, V(start-end).
    type: str
  isolation_method:
    description: How guest networks are isolated.
    type: str
    choices: [vlan, vxlan]
  network_domain:
    description: DNS domain of the zone's guest networks.
    type: str
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain the zone is dedicated to.
    type: str
  securitygroups_enabled:
    description: Whether the zone uses security groups.
    type: bool
  local_storage_enabled:
    description: Whether offerings may use hosts' local storage in the zone.
    type: bool
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: An advanced zone
  cirrus.cloud.zone:
    name: zone-1
    network_type: Advanced
    dns1: 203.0.113.53
    internal_dns1: 172.16.0.53
    vlan: 100-199

- name: Stop placing new resources in it
  cirrus.cloud.zone:
    name: zone-1
    state: disabled

- name: Remove it
  cirrus.cloud.zone:
    name: zone-1
    state: absent
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import ZONE


class Zone(ResourceModule):
    noun = "zone"
    key = "zone"
    list_command = "listZones"
    create_command = "createZone"
    update_command = "updateZone"
    delete_command = "deleteZone"
    options = {
        "name": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present",
                  "choices": ["present", "enabled", "disabled", "absent"]},
        "network_type": {"type": "str", "choices": ["Basic", "Advanced"]},
        "dns1": {"type": "str"},
        "dns2": {"type": "str"},
        "internal_dns1": {"type": "str"},
        "internal_dns2": {"type": "str"},
        "guest_cidr_address": {"type": "str"},
        "vlan": {"type": "str"},
        "isolation_method": {"type": "str", "choices": ["vlan", "vxlan"]},
        "network_domain": {"type": "str"},
        "domain": {"type": "str"},
        "securitygroups_enabled": {"type": "bool"},
        "local_storage_enabled": {"type": "bool"},
    }
    fields = (
        Field("name", "name", required=True),
        Field("network_type", "networktype", mutable=False, required=True, casefold=True),
        Field("dns1", "dns1"),
        Field("dns2", "dns2"),
        Field("internal_dns1", "internaldns1"),
        Field("internal_dns2", "internaldns2"),
        Field("guest_cidr_address", "guestcidraddress"),
        Field("vlan", "vlan"),
        Field("isolation_method", "isolationmethod", casefold=True),
        Field("network_domain", "domain"),
        Field("domain", "domainid", ref="domain"),
        Field("securitygroups_enabled", "securitygroupenabled", key="securitygroupsenabled"),
        Field("local_storage_enabled", "localstorageenabled"),
        Field("state", "allocationstate",
              values={"enabled": "Enabled", "disabled": "Disabled"}),
    )
    returns = ZONE

    def get(self):
        return self.find(self.list_command, self.key, match={"name": self.params["name"]},
                         name=self.params["name"])


def main():
    Zone.main()


if __name__ == "__main__":
    main()
