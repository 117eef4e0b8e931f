#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: template_info
short_description: Lists templates the caller may see
description:
  - Lists templates (C(listTemplates)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the template.
    type: str
  template_filter:
    description: Which templates are listed.
    type: str
    choices: [featured, self, selfexecutable, sharedexecutable, executable, community, all]
    default: executable
  zone:
    description: Name or id of the zone.
    type: str
  hypervisor:
    description: Hypervisor of the templates.
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
  cirrus.cloud.template_info:
    template_filter: featured
  register: found
"""

RETURN = r"""
templates:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.images import FILTERS
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import TEMPLATE


class TemplateInfo(InfoModule):
    list_command = "listTemplates"
    key = "template"
    plural = "templates"
    owned = True
    tenant = True
    options = {
        "name": {"type": "str"},
        "template_filter": {"type": "str", "choices": FILTERS, "default": "executable"},
        "zone": {"type": "str"},
        "hypervisor": {"type": "str"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("template_filter", "templatefilter"),
        Field("zone", "zoneid", ref="zone"),
        Field("hypervisor", "hypervisor"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = TEMPLATE


def main():
    TemplateInfo.main()


if __name__ == "__main__":
    main()
