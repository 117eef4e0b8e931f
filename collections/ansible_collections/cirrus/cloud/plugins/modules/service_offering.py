#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: service_offering
short_description: Manages service offerings
description:
  - Creates, updates and removes compute offerings (C(createServiceOffering),
    C(updateServiceOffering), C(deleteServiceOffering)).
  - Only O(display_text) can change once the offering exists (VMs may use it); a differing
    CPU, memory, storage or tag value fails the module.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the offering.
    type: str
    required: true
  display_text:
    description: Display text of the offering; the name when it is created without one.
    type: str
  cpu_number:
    description: Number of CPUs; needed to create the offering.
    type: int
  cpu_speed:
    description: CPU speed in MHz; needed to create the offering.
    type: int
  memory:
    description: Memory in MB; needed to create the offering.
    type: int
  offer_ha:
    description: Whether VMs are restarted on another host when theirs fails.
    type: bool
  limit_cpu_usage:
    description: Whether CPU use is capped at the offering's speed.
    type: bool
  storage_type:
    description: Whether root disks are on shared or host-local storage.
    type: str
    choices: [shared, local]
  storage_tags:
    description: Storage tags the root disk's pool must have.
    type: list
    elements: str
    aliases: [storage_tag]
  host_tags:
    description: Host tags the VM's host must have.
    type: list
    elements: str
    aliases: [host_tag]
  network_rate:
    description: Network rate in Mbit/s.
    type: int
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain the offering is limited to.
    type: str
  state:
    description: Whether the offering is present or absent.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: A small offering
  cirrus.cloud.service_offering:
    name: Small Instance
    display_text: 1 vCPU, 512 MB
    cpu_number: 1
    cpu_speed: 500
    memory: 512
"""

RETURN = r"""
id:
  description: Id of the offering.
  returned: success
  type: str
name:
  description: Name of the offering.
  returned: success
  type: str
  sample: "Small Instance"
display_text:
  description: Display text of the offering.
  returned: success
  type: str
  sample: "1 vCPU, 512 MB"
cpu_number:
  description: Number of CPUs.
  returned: success
  type: int
  sample: 1
cpu_speed:
  description: CPU speed in MHz.
  returned: success
  type: int
  sample: 500
memory:
  description: Memory in MB.
  returned: success
  type: int
  sample: 512
offer_ha:
  description: Whether VMs are restarted elsewhere when their host fails.
  returned: success
  type: bool
  sample: false
limit_cpu_usage:
  description: Whether CPU use is capped at the offering's speed.
  returned: success
  type: bool
  sample: false
storage_type:
  description: "Storage type: shared or local."
  returned: success
  type: str
  sample: shared
storage_tags:
  description: Comma-separated storage tags.
  returned: success
  type: str
host_tags:
  description: Comma-separated host tags.
  returned: success
  type: str
network_rate:
  description: Network rate in Mbit/s.
  returned: success
  type: int
domain:
  description: Name of the domain the offering is limited to.
  returned: success
  type: str
domain_id:
  description: Id of the domain the offering is limited to.
  returned: success
  type: str
is_system:
  description: Whether it is an offering for system VMs.
  returned: success
  type: bool
  sample: false
system_vm_type:
  description: Type of system VM of a system offering.
  returned: success
  type: str
created:
  description: When the offering was created.
  returned: success
  type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import SERVICE_OFFERING


class ServiceOffering(ResourceModule):
    noun = "service offering"
    key = "serviceoffering"
    list_command = "listServiceOfferings"
    create_command = "createServiceOffering"
    update_command = "updateServiceOffering"
    delete_command = "deleteServiceOffering"
    implicit = ("displaytext",)
    options = {
        "name": {"type": "str", "required": True},
        "display_text": {"type": "str"},
        "cpu_number": {"type": "int"},
        "cpu_speed": {"type": "int"},
        "memory": {"type": "int"},
        "offer_ha": {"type": "bool"},
        "limit_cpu_usage": {"type": "bool"},
        "storage_type": {"type": "str", "choices": ["shared", "local"]},
        "storage_tags": {"type": "list", "elements": "str", "aliases": ["storage_tag"]},
        "host_tags": {"type": "list", "elements": "str", "aliases": ["host_tag"]},
        "network_rate": {"type": "int"},
        "domain": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    }
    fields = (
        Field("name", "name", required=True),
        Field("display_text", "displaytext", required=True),
        Field("cpu_number", "cpunumber", mutable=False, required=True),
        Field("cpu_speed", "cpuspeed", mutable=False, required=True),
        Field("memory", "memory", mutable=False, required=True),
        Field("offer_ha", "offerha", mutable=False),
        Field("limit_cpu_usage", "limitcpuuse", mutable=False),
        Field("storage_type", "storagetype", mutable=False, casefold=True),
        Field("storage_tags", "tags", mutable=False),
        Field("host_tags", "hosttags", mutable=False),
        Field("network_rate", "networkrate", mutable=False),
        Field("domain", "domainid", ref="domain", mutable=False),
    )
    returns = SERVICE_OFFERING

    def get(self):
        name = self.params["name"]
        scope = {"domainid": self.ref_id("domain", missing_ok=True)}
        if self.params["domain"] and scope["domainid"] is None:
            return None
        return self.find(self.list_command, self.key, match={"name": name}, name=name,
                         **scope)

    def create_defaults(self):
        return {"displaytext": self.params["name"]}


def main():
    ServiceOffering.main()


if __name__ == "__main__":
    main()
