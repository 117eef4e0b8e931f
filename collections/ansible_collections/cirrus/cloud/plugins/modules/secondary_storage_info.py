#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: secondary_storage_info
short_description: Lists image stores (secondary storage)
description:
  - Lists image stores (secondary storage) (C(listImageStores)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the image store.
    type: str
  zone:
    description: Name or id of the zone.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: List them
  cirrus.cloud.secondary_storage_info:
    zone: zone-1
  register: found
"""

RETURN = r"""
secondary_storages:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the image store.
      returned: success
      type: str
    name:
      description: Name of the image store.
      returned: success
      type: str
      sample: secondary-1
    zone:
      description: Name of the zone of the store.
      returned: success
      type: str
      sample: zone-1
    zone_id:
      description: Id of the zone of the store.
      returned: success
      type: str
    url:
      description: URL of the store.
      returned: success
      type: str
      sample: "nfs://203.0.113.10/export/secondary"
    protocol:
      description: Protocol of the store.
      returned: success
      type: str
      sample: nfs
    provider:
      description: Provider of the store.
      returned: success
      type: str
      sample: NFS
    scope:
      description: Scope of the store.
      returned: success
      type: str
      sample: ZONE
    store_state:
      description: Up while the management server reaches the store, else Down.
      returned: success
      type: str
      sample: Up
    disk_size_total:
      description: Size of the store in bytes.
      returned: success
      type: int
    disk_size_used:
      description: Bytes used on the store.
      returned: success
      type: int
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import SECONDARY_STORAGE


class SecondaryStorageInfo(InfoModule):
    list_command = "listImageStores"
    key = "imagestore"
    plural = "secondary_storages"
    options = {
        "name": {"type": "str"},
        "zone": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("zone", "zoneid", ref="zone"),
    )
    returns = SECONDARY_STORAGE


def main():
    SecondaryStorageInfo.main()


if __name__ == "__main__":
    main()
