#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: disk_offering
short_description: Manages disk offerings
description:
  - Creates, updates and removes disk offerings (C(createDiskOffering),
    C(updateDiskOffering), C(deleteDiskOffering)).
  - Only O(display_text) can change once the offering exists (volumes may use it); a
    differing size, storage or tag value fails the module.
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
  disk_size:
    description: Size of the disk in GB (not with O(customized)).
    type: int
  customized:
    description: Whether the user chooses the size.
    type: bool
  storage_type:
    description: Whether disks are on shared or host-local storage.
    type: str
    choices: [shared, local]
  storage_tags:
    description: Storage tags the disk's pool must have.
    type: list
    elements: str
    aliases: [storage_tag]
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
- name: A 5 GB disk
  cirrus.cloud.disk_offering:
    name: Small Disk
    disk_size: 5

- name: A disk of the user's size on SSD pools
  cirrus.cloud.disk_offering:
    name: Custom SSD
    customized: true
    storage_tags: [ssd]
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, ResourceModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import DISK_OFFERING


class DiskOffering(ResourceModule):
    noun = "disk offering"
    key = "diskoffering"
    list_command = "listDiskOfferings"
    create_command = "createDiskOffering"
    update_command = "updateDiskOffering"
    delete_command = "deleteDiskOffering"
    implicit = ("displaytext",)
    options = {
        "name": {"type": "str", "required": True},
        "display_text": {"type": "str"},
        "disk_size": {"type": "int"},
        "customized": {"type": "bool"},
        "storage_type": {"type": "str", "choices": ["shared", "local"]},
        "storage_tags": {"type": "list", "elements": "str", "aliases": ["storage_tag"]},
        "domain": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    }
    mutually_exclusive = [["disk_size", "customized"]]
    fields = (
        Field("name", "name", required=True),
        Field("display_text", "displaytext", required=True),
        Field("disk_size", "disksize", mutable=False),
        Field("customized", "customized", key="iscustomized", mutable=False),
        Field("storage_type", "storagetype", mutable=False, casefold=True),
        Field("storage_tags", "tags", mutable=False),
        Field("domain", "domainid", ref="domain", mutable=False),
    )
    returns = DISK_OFFERING

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
    DiskOffering.main()


if __name__ == "__main__":
    main()
