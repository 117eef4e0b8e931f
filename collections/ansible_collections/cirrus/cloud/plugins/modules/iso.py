#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: iso
short_description: Manages ISO images
description:
  - Registers ISO images from a URL (C(registerIso)), updates their attributes
    (C(updateIso)) and visibility (C(updateIsoPermissions)), attaches them to virtual
    machines and detaches them (C(attachIso), C(detachIso)), and deletes them
    (C(deleteIso)).
  - An ISO is found by O(name) among those O(iso_filter) shows, in O(zone) when set. A
    registered ISO is downloaded by the cloud after the module returns; it can be
    attached once RV(is_ready).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the ISO.
    type: str
    required: true
  display_text:
    description: Display text of the ISO; O(name) when it is registered without it.
    type: str
  url:
    description: HTTP(S) URL of the image; needed to register the ISO, not compared.
    type: str
  zone:
    description: Name or id of the zone to register the ISO in and to look it up in.
    type: str
  cross_zones:
    description: Whether the ISO is registered in every zone.
    type: bool
    default: false
  os_type:
    description: Description or id of the OS type of the ISO.
    type: str
  bootable:
    description: Whether machines can boot from the ISO; the cloud takes V(true) when not set.
    type: bool
  checksum:
    description: Checksum of the image (MD5 hex, or C({sha256}) and the like and hex); not compared.
    type: str
  is_public:
    description: Whether every account may use the ISO.
    type: bool
  is_featured:
    description: Whether the ISO is featured (administrators only).
    type: bool
  is_extractable:
    description: Whether the ISO may be downloaded again.
    type: bool
  iso_filter:
    description: Which ISOs the ISO is looked up among.
    type: str
    choices: [featured, self, selfexecutable, sharedexecutable, executable, community, all]
    default: self
  vm:
    description: Name or id of the virtual machine for V(attached) and V(detached).
    type: str
  state:
    description:
      - V(attached) makes the ISO present and in the CD-ROM drive of O(vm) (in place of any
        other); V(detached) takes it out of the drive of O(vm) if it is there.
    type: str
    choices: [present, absent, attached, detached]
    default: present
  account:
    description: Account of the ISO (with O(domain)); the caller's own when not set.
    type: str
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain of O(account); V(ROOT) when only
      O(account) is set.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: The rescue ISO
  cirrus.cloud.iso:
    name: rescue
    url: https://images.example.com/rescue.iso
    zone: zone-1
    os_type: Other (64-bit)

- name: In web-1's drive
  cirrus.cloud.iso:
    name: rescue
    zone: zone-1
    vm: web-1
    state: attached
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field
from ansible_collections.cirrus.cloud.plugins.module_utils.images import FILTERS, ImageModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import ISO

PERMISSIONS = "updateIsoPermissions"


class Iso(ImageModule):
    noun = "ISO"
    key = "iso"
    list_command = "listIsos"
    create_command = "registerIso"
    update_command = "updateIso"
    delete_command = "deleteIso"
    filter_param = "isofilter"
    permissions_command = PERMISSIONS
    options = {
        "name": {"type": "str", "required": True},
        "display_text": {"type": "str"},
        "url": {"type": "str"},
        "zone": {"type": "str"},
        "cross_zones": {"type": "bool", "default": False},
        "os_type": {"type": "str"},
        "bootable": {"type": "bool"},
        "checksum": {"type": "str"},
        "is_public": {"type": "bool"},
        "is_featured": {"type": "bool"},
        "is_extractable": {"type": "bool"},
        "iso_filter": {"type": "str", "default": "self", "choices": FILTERS},
        "vm": {"type": "str"},
        "state": {"type": "str", "default": "present",
                  "choices": ["present", "absent", "attached", "detached"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    required_if = [["state", "attached", ["vm"]], ["state", "detached", ["vm"]]]
    fields = (
        Field("name", "name", mutable=False, required=True),
        Field("display_text", "displaytext", required=True),
        Field("url", "url", mutable=False, required=True, compare=False),
        Field("zone", "zoneid", ref="zone", mutable=False, required=True, compare=False),
        Field("os_type", "ostypeid", ref="os_type"),
        Field("bootable", "bootable"),
        Field("checksum", "checksum", mutable=False, compare=False),
        Field("is_public", "ispublic", update_with=PERMISSIONS),
        Field("is_featured", "isfeatured", update_with=PERMISSIONS),
        Field("is_extractable", "isextractable", update_with=PERMISSIONS),
        Field("account", "account", mutable=False, compare=False),
        Field("domain", "domainid", ref="domain", mutable=False, compare=False),
    )
    returns = ISO

    def create_defaults(self):
        defaults = {"displaytext": self.params["name"], **self.owner()}
        if self.params["cross_zones"]:
            defaults["zoneid"] = "-1"
        return defaults

    def create(self, wanted):
        if self.params["cross_zones"]:
            wanted = {f: v for f, v in wanted.items() if f.option != "zone"}
        return super().create(wanted)

    def run(self):
        state = self.params["state"]
        if state == "detached":
            current = self.get()
            self.drive(current, attach=False)
            self.result.update(self.returned(current))
            self.result["diff"] = {"before": self.before, "after": self.after}
            return
        super().run()

    def ensure_state(self, current, state):
        if state == "attached" and current is not None:
            self.drive(current, attach=True)
        return current

    def drive(self, iso, attach):
        """Put `iso` in the drive of the machine O(vm), or take it out."""
        vm_id = self.ref_id("vm")
        vm = self.find("listVirtualMachines", "virtualmachine", id=vm_id, **self.owner())
        inside = (vm or {}).get("isoid")
        iso_id = (iso or {}).get("id")
        if attach and inside is not None and inside == iso_id:
            return
        if not attach and (inside is None or iso_id is None or inside != iso_id):
            return
        self.changed({"vm_iso": (vm or {}).get("isoname")},
                     {"vm_iso": self.params["name"] if attach else None})
        if self.module.check_mode or iso_id is None:
            return
        if inside is not None:
            self.client.call("detachIso", virtualmachineid=vm_id)
        if attach:
            self.client.call("attachIso", id=iso_id, virtualmachineid=vm_id)


def main():
    Iso.main()


if __name__ == "__main__":
    main()
