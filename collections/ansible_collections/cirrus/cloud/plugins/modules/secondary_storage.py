#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: secondary_storage
short_description: Manages secondary storage (image stores)
description:
  - Adds and removes the image stores of a zone (C(addImageStore), C(deleteImageStore)).
  - Also available as C(cirrus.cloud.image_store), the name ngine_io.cloudstack uses.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the image store.
    type: str
    required: true
  zone:
    description: Name or id of the zone of the store.
    type: str
    required: true
  url:
    description:
      - URL of the store, for example V(nfs://203.0.113.10/export/secondary) or
        V(file:///var/lib/cirrus/secondary); needed to add the store and cannot change
        afterwards.
    type: str
  provider:
    description: Provider of the store.
    type: str
    default: NFS
  state:
    description: Whether the store is present or absent.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: An NFS image store
  cirrus.cloud.secondary_storage:
    name: secondary-1
    zone: zone-1
    url: nfs://203.0.113.10/export/secondary
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import SECONDARY_STORAGE


class SecondaryStorage(ResourceModule):
    noun = "image store"
    key = "imagestore"
    list_command = "listImageStores"
    create_command = "addImageStore"
    delete_command = "deleteImageStore"
    options = {
        "name": {"type": "str", "required": True},
        "zone": {"type": "str", "required": True},
        "url": {"type": "str"},
        "provider": {"type": "str", "default": "NFS"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    }
    fields = (
        Field("zone", "zoneid", ref="zone", mutable=False),
        Field("name", "name", mutable=False),
        Field("url", "url", mutable=False),
        Field("provider", "provider", key="providername", mutable=False, required=True,
              casefold=True),
    )
    returns = SECONDARY_STORAGE

    def get(self):
        zone_id = self.ref_id("zone", missing_ok=self.params["state"] == "absent")
        if zone_id is None:
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name}, name=name,
                         zoneid=zone_id)


def main():
    SecondaryStorage.main()


if __name__ == "__main__":
    main()
