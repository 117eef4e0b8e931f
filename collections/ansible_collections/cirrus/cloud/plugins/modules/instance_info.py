#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: instance_info
short_description: Lists virtual machines the caller may see
description:
  - Lists virtual machines (C(listVirtualMachines)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Host name or id of the machine.
    type: str
  zone:
    description: Name or id of the zone.
    type: str
  instance_state:
    description: State of the machines, for example V(Running).
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
  cirrus.cloud.instance_info:
    zone: zone-1
    instance_state: Running
  register: found
"""

RETURN = r"""
instances:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the machine.
      returned: success
      type: str
    name:
      description: Host name of the machine.
      returned: success
      type: str
      sample: web-1
    display_name:
      description: Display name of the machine.
      returned: success
      type: str
    group:
      description: Group of the machine.
      returned: success
      type: str
    account:
      description: Account of the machine.
      returned: success
      type: str
    domain:
      description: Domain of the machine.
      returned: success
      type: str
    domain_id:
      description: Id of the domain of the machine.
      returned: success
      type: str
    created:
      description: When the machine was deployed.
      returned: success
      type: str
    instance_state:
      description: "State of the machine: Running, Stopped, Starting, Stopping, Destroyed, Error, ..."
      returned: success
      type: str
      sample: Running
    ha_enabled:
      description: Whether the machine is restarted elsewhere when its host fails.
      returned: success
      type: bool
    zone:
      description: Name of the zone of the machine.
      returned: success
      type: str
    zone_id:
      description: Id of the zone of the machine.
      returned: success
      type: str
    host:
      description: Name of the host of the machine (root administrators only).
      returned: success
      type: str
    host_id:
      description: Id of the host of the machine (root administrators only).
      returned: success
      type: str
    instance_name:
      description: Name of the machine on its hypervisor (administrators only).
      returned: success
      type: str
    template:
      description: Name of the template of the machine.
      returned: success
      type: str
    template_id:
      description: Id of the template of the machine.
      returned: success
      type: str
    template_display_text:
      description: Display text of the template of the machine.
      returned: success
      type: str
    password_enabled:
      description: Whether the template supports password resets.
      returned: success
      type: bool
    iso:
      description: Name of the ISO attached to the machine.
      returned: success
      type: str
    iso_id:
      description: Id of the ISO attached to the machine.
      returned: success
      type: str
    service_offering:
      description: Name of the service offering of the machine.
      returned: success
      type: str
    service_offering_id:
      description: Id of the service offering of the machine.
      returned: success
      type: str
    cpu_number:
      description: Number of CPUs of the machine.
      returned: success
      type: int
    cpu_speed:
      description: Speed of each CPU in MHz.
      returned: success
      type: int
    memory:
      description: Memory of the machine in MB.
      returned: success
      type: int
    hypervisor:
      description: Hypervisor of the machine.
      returned: success
      type: str
    user_data:
      description: Base64 user data of the machine (administrators only).
      returned: success
      type: str
    nics:
      description: NICs of the machine (network id and name, address, MAC address, default or not).
      returned: success
      type: list
      elements: dict
    security_groups:
      description: Security groups of the machine (id, name, description).
      returned: success
      type: list
      elements: dict
    default_ip:
      description: Address of the machine's default NIC.
      returned: success
      type: str
      sample: "10.1.1.23"
    password:
      description: Password of a machine deployed from a password-enabled template, when this run deployed it.
      returned: when the machine was deployed
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import INSTANCE


class InstanceInfo(InfoModule):
    list_command = "listVirtualMachines"
    key = "virtualmachine"
    plural = "instances"
    owned = True
    tenant = True
    options = {
        "name": {"type": "str"},
        "zone": {"type": "str"},
        "instance_state": {"type": "str"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("zone", "zoneid", ref="zone"),
        Field("instance_state", "state"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = INSTANCE
    computed = ("default_ip", "password")

    def returned(self, obj):
        out = super().returned(obj)
        nics = (obj or {}).get("nic") or []
        default = [nic for nic in nics if nic.get("isdefault")] or nics
        if default and default[0].get("ipaddress"):
            out["default_ip"] = default[0]["ipaddress"]
        return out


def main():
    InstanceInfo.main()


if __name__ == "__main__":
    main()
