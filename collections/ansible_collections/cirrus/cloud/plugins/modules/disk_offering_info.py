#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: disk_offering_info
short_description: Lists disk offerings
description:
  - Lists disk offerings (C(listDiskOfferings)), filtered on the server by the options set.
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
  cirrus.cloud.disk_offering_info: {}
  register: found
"""

RETURN = r"""
disk_offerings:
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
      sample: "Small Disk"
    display_text:
      description: Display text of the offering.
      returned: success
      type: str
      sample: "5 GB"
    disk_size:
      description: Size in GB (0 for a customized size).
      returned: success
      type: int
      sample: 5
    customized:
      description: Whether the user chooses the size.
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
    domain:
      description: Name of the domain the offering is limited to.
      returned: success
      type: str
    domain_id:
      description: Id of the domain the offering is limited to.
      returned: success
      type: str
    created:
      description: When the offering was created.
      returned: success
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import DISK_OFFERING


class DiskOfferingInfo(InfoModule):
    list_command = "listDiskOfferings"
    key = "diskoffering"
    plural = "disk_offerings"
    options = {
        "name": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = DISK_OFFERING


def main():
    DiskOfferingInfo.main()


if __name__ == "__main__":
    main()
