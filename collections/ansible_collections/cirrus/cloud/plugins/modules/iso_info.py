#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: iso_info
short_description: Lists ISOs the caller may see
description:
  - Lists ISO images (C(listIsos)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the ISO.
    type: str
  iso_filter:
    description: Which ISOs are listed.
    type: str
    choices: [featured, self, selfexecutable, sharedexecutable, executable, community, all]
    default: executable
  zone:
    description: Name or id of the zone.
    type: str
  bootable:
    description: Whether machines boot from the ISOs.
    type: bool
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
  cirrus.cloud.iso_info:
    zone: zone-1
  register: found
"""

RETURN = r"""
isos:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the ISO.
      returned: success
      type: str
    name:
      description: Name of the ISO.
      returned: success
      type: str
      sample: rescue
    display_text:
      description: Display text of the ISO.
      returned: success
      type: str
    is_public:
      description: Whether every account may use the ISO.
      returned: success
      type: bool
    is_featured:
      description: Whether the ISO is featured.
      returned: success
      type: bool
    is_extractable:
      description: Whether the ISO may be downloaded again.
      returned: success
      type: bool
    created:
      description: When the ISO was registered.
      returned: success
      type: str
    os_type:
      description: OS type of the ISO.
      returned: success
      type: str
    os_type_id:
      description: Id of that OS type.
      returned: success
      type: str
    checksum:
      description: Checksum of the image.
      returned: success
      type: str
    bootable:
      description: Whether machines boot from it.
      returned: success
      type: bool
    account:
      description: Account of the ISO.
      returned: success
      type: str
    domain:
      description: Domain of the ISO.
      returned: success
      type: str
    domain_id:
      description: Id of that domain.
      returned: success
      type: str
    zone:
      description: Name of the zone of this copy of the ISO.
      returned: success
      type: str
    zone_id:
      description: Id of that zone.
      returned: success
      type: str
    is_ready:
      description: Whether the ISO is downloaded and usable in that zone.
      returned: success
      type: bool
    status:
      description: Download status of the ISO in that zone.
      returned: success
      type: str
    size:
      description: Size of the image in bytes.
      returned: success
      type: int
    cross_zones:
      description: Whether the ISO is registered in every zone.
      returned: success
      type: bool
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.images import FILTERS
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import ISO


class IsoInfo(InfoModule):
    list_command = "listIsos"
    key = "iso"
    plural = "isos"
    owned = True
    tenant = True
    options = {
        "name": {"type": "str"},
        "iso_filter": {"type": "str", "choices": FILTERS, "default": "executable"},
        "zone": {"type": "str"},
        "bootable": {"type": "bool"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("iso_filter", "isofilter"),
        Field("zone", "zoneid", ref="zone"),
        Field("bootable", "bootable"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = ISO


def main():
    IsoInfo.main()


if __name__ == "__main__":
    main()
