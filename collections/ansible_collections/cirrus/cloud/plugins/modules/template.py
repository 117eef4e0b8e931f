#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: template
short_description: Manages templates
description:
  - Registers templates from a URL (C(registerTemplate)), or makes them from a snapshot
    or from the root volume of a stopped virtual machine (C(createTemplate)); updates
    their attributes (C(updateTemplate)) and visibility (C(updateTemplatePermissions)),
    and deletes them (C(deleteTemplate)).
  - A template is found by O(name) among those O(template_filter) shows, in O(zone) when
    set. A registered template is downloaded by the cloud after the module returns
    (RV(is_ready) tells when it is done).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the template.
    type: str
    required: true
  display_text:
    description: Display text of the template; O(name) when it is created without it.
    type: str
  url:
    description: HTTP(S) URL of the image to register; not compared.
    type: str
  snapshot:
    description: Name or id of the snapshot to make the template from; not compared.
    type: str
  vm:
    description:
      - Name or id of a stopped virtual machine whose root volume the template is made
        from; not compared.
    type: str
  zone:
    description:
      - Name or id of the zone to register the template in and to look it up in.
    type: str
  cross_zones:
    description: Whether a registered template goes to every zone.
    type: bool
    default: false
  os_type:
    description:
      - Description or id of the OS type (for example V(Debian GNU/Linux 12 (64-bit)));
        needed to create the template, except from O(vm), whose OS type it takes.
    type: str
  format:
    description: Format of the image to register.
    type: str
    choices: [QCOW2, RAW, VHD, VMDK, OVA, TAR]
  hypervisor:
    description: Hypervisor of the image to register.
    type: str
  checksum:
    description: Checksum of the image (MD5 hex, or C({sha256}) and the like and hex); not compared.
    type: str
  is_public:
    description: Whether every account may use the template.
    type: bool
  is_featured:
    description: Whether the template is featured (administrators only).
    type: bool
  is_extractable:
    description: Whether the template may be downloaded again.
    type: bool
  password_enabled:
    description: Whether the template's guests take passwords set by the cloud.
    type: bool
  requires_hvm:
    description: Whether the template needs hardware virtualization.
    type: bool
  bits:
    description: Whether the template is 32 or 64 bits (informational); not compared.
    type: int
    choices: [32, 64]
  template_filter:
    description: Which templates the template is looked up among.
    type: str
    choices: [featured, self, selfexecutable, sharedexecutable, executable, community, all]
    default: self
  state:
    description: Whether the template is present or absent.
    type: str
    choices: [present, absent]
    default: present
  account:
    description:
      - Account of a registered template (with O(domain)), and of the snapshot or virtual
        machine a template is made from; a template made from those belongs to the caller.
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
- name: Debian, registered in every zone
  cirrus.cloud.template:
    name: debian-12
    url: https://images.example.com/debian-12.qcow2
    cross_zones: true
    format: QCOW2
    hypervisor: KVM
    os_type: Debian GNU/Linux 12 (64-bit)
    is_public: true

- name: A golden image from a snapshot
  cirrus.cloud.template:
    name: web-golden
    snapshot: web-1-ready
    os_type: Debian GNU/Linux 12 (64-bit)
"""

RETURN = r"""
id:
  description: Id of the template.
  returned: success
  type: str
name:
  description: Name of the template.
  returned: success
  type: str
  sample: debian-12
display_text:
  description: Display text of the template.
  returned: success
  type: str
is_public:
  description: Whether every account may use the template.
  returned: success
  type: bool
is_featured:
  description: Whether the template is featured.
  returned: success
  type: bool
is_extractable:
  description: Whether the template may be downloaded again.
  returned: success
  type: bool
created:
  description: When the template was made.
  returned: success
  type: str
os_type:
  description: OS type of the template.
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
password_enabled:
  description: Whether the template's guests take passwords set by the cloud.
  returned: success
  type: bool
account:
  description: Account of the template.
  returned: success
  type: str
domain:
  description: Domain of the template.
  returned: success
  type: str
domain_id:
  description: Id of that domain.
  returned: success
  type: str
format:
  description: Format of the image.
  returned: success
  type: str
  sample: QCOW2
hypervisor:
  description: Hypervisor of the template.
  returned: success
  type: str
template_type:
  description: "Type of the template: USER, BUILTIN, ..."
  returned: success
  type: str
requires_hvm:
  description: Whether the template needs hardware virtualization.
  returned: success
  type: bool
zone:
  description: Name of the zone of this copy of the template.
  returned: success
  type: str
zone_id:
  description: Id of that zone.
  returned: success
  type: str
is_ready:
  description: Whether the template is downloaded and usable in that zone.
  returned: success
  type: bool
status:
  description: Download status of the template in that zone.
  returned: success
  type: str
size:
  description: Size of the template's disk in bytes.
  returned: success
  type: int
cross_zones:
  description: Whether the template is registered in every zone.
  returned: success
  type: bool
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field
from ansible_collections.cirrus.cloud.plugins.module_utils.images import FILTERS, ImageModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import TEMPLATE

PERMISSIONS = "updateTemplatePermissions"
MADE = "createTemplate"


class Template(ImageModule):
    noun = "template"
    key = "template"
    list_command = "listTemplates"
    create_command = "registerTemplate"
    update_command = "updateTemplate"
    delete_command = "deleteTemplate"
    filter_param = "templatefilter"
    permissions_command = PERMISSIONS
    options = {
        "name": {"type": "str", "required": True},
        "display_text": {"type": "str"},
        "url": {"type": "str"},
        "snapshot": {"type": "str"},
        "vm": {"type": "str"},
        "zone": {"type": "str"},
        "cross_zones": {"type": "bool", "default": False},
        "os_type": {"type": "str"},
        "format": {"type": "str", "choices": ["QCOW2", "RAW", "VHD", "VMDK", "OVA", "TAR"]},
        "hypervisor": {"type": "str"},
        "checksum": {"type": "str"},
        "is_public": {"type": "bool"},
        "is_featured": {"type": "bool"},
        "is_extractable": {"type": "bool"},
        "password_enabled": {"type": "bool", "no_log": False},
        "requires_hvm": {"type": "bool"},
        "bits": {"type": "int", "choices": [32, 64]},
        "template_filter": {"type": "str", "default": "self", "choices": FILTERS},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    mutually_exclusive = [["url", "snapshot", "vm"]]
    fields = (
        Field("name", "name", mutable=False, required=True),
        Field("display_text", "displaytext", required=True),
        Field("url", "url", mutable=False, required=True, compare=False),
        Field("zone", "zoneid", ref="zone", mutable=False, required=True, compare=False),
        Field("format", "format", mutable=False, required=True, casefold=True),
        Field("hypervisor", "hypervisor", mutable=False, required=True, casefold=True),
        Field("os_type", "ostypeid", ref="os_type", required=True),
        Field("checksum", "checksum", mutable=False, compare=False),
        Field("is_public", "ispublic", update_with=PERMISSIONS),
        Field("is_featured", "isfeatured", update_with=PERMISSIONS),
        Field("is_extractable", "isextractable", update_with=PERMISSIONS),
        Field("password_enabled", "passwordenabled"),
        Field("requires_hvm", "requireshvm", mutable=False),
        Field("bits", "bits", mutable=False, compare=False),
        Field("snapshot", "snapshotid", ref="snapshot", mutable=False, compare=False,
              create_with=MADE),
        Field("vm", "volumeid", ref="vm", mutable=False, compare=False, create_with=MADE),
        Field("account", "account", mutable=False, compare=False),
        Field("domain", "domainid", ref="domain", mutable=False, compare=False),
    )
    returns = TEMPLATE

    def made(self):
        return bool(self.params["snapshot"] or self.params["vm"])

    def lookup_owner(self, missing_ok):
        # A template made from a snapshot or a machine belongs to the caller.
        return {} if self.made() else self.owner(missing_ok=missing_ok)

    def option_value(self, field):
        if field.option == "vm" and self.params["vm"]:
            return self.root_volume()["id"]
        return super().option_value(field)

    def root_volume(self):
        vm_id = self.ref_id("vm")
        volumes = self.list_objects("listVolumes", "volume", virtualmachineid=vm_id,
                                    type="ROOT", **self.owner())
        if not volumes:
            self.fail(f"virtual machine {self.params['vm']!r} has no root volume")
        return volumes[0]

    def create_defaults(self):
        defaults = {"displaytext": self.params["name"]}
        if self.params["cross_zones"]:
            defaults["zoneid"] = "-1"
        if self.params["vm"] and not self.params["os_type"]:
            vm = self.find("listVirtualMachines", "virtualmachine", id=self.ref_id("vm"),
                           **self.owner())
            defaults["ostypeid"] = (vm or {}).get("ostypeid")
        if not self.made():
            defaults.update(self.owner())
        return defaults

    def create(self, wanted):
        if not self.made():
            if self.params["cross_zones"]:
                wanted = {f: v for f, v in wanted.items() if f.option != "zone"}
            return super().create(wanted)
        params = dict(self.create_defaults())
        params.update({f.param: value for f, value in wanted.items()
                       if f.create and (f.create_with == MADE or f.param in MADE_PARAMS)})
        if params.get("ostypeid") is None:
            self.fail(f"template {self.title(None)} does not exist; creating it needs "
                      "os_type")
        params.pop("zoneid", None)
        return self.make(MADE, params, wanted)


# What createTemplate takes besides the snapshot or volume.
MADE_PARAMS = ("name", "displaytext", "ostypeid", "ispublic", "isfeatured",
               "passwordenabled", "requireshvm", "bits", "isextractable")


def main():
    Template.main()


if __name__ == "__main__":
    main()
