#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: service_offering_info
short_description: Lists service offerings
description:
  - Lists service offerings (C(listServiceOfferings)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the offering.
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
  cirrus.cloud.service_offering_info:
    name: Small Instance
  register: found
"""

RETURN = r"""
service_offerings:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import SERVICE_OFFERING


class ServiceOfferingInfo(InfoModule):
    list_command = "listServiceOfferings"
    key = "serviceoffering"
    plural = "service_offerings"
    options = {
        "name": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = SERVICE_OFFERING


def main():
    ServiceOfferingInfo.main()


if __name__ == "__main__":
    main()
