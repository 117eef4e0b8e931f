#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: configuration_info
short_description: Lists global settings
description:
  - Lists global settings (C(listConfigurations)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the setting.
    type: str
  category:
    description: Category of the settings.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: List them
  cirrus.cloud.configuration_info:
    category: Advanced
  register: found
"""

RETURN = r"""
configurations:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Name of the setting.
      returned: success
      type: str
      sample: expunge.delay
    value:
      description: Value of the setting.
      returned: success
      type: str
      sample: "86400"
    category:
      description: Category of the setting.
      returned: success
      type: str
      sample: Advanced
    description:
      description: What the setting does.
      returned: success
      type: str
    default_value:
      description: Default value of the setting.
      returned: success
      type: str
    type:
      description: Type of the value.
      returned: success
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import CONFIGURATION


class ConfigurationInfo(InfoModule):
    list_command = "listConfigurations"
    key = "configuration"
    plural = "configurations"
    options = {
        "name": {"type": "str"},
        "category": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("category", "category"),
    )
    returns = CONFIGURATION


def main():
    ConfigurationInfo.main()


if __name__ == "__main__":
    main()
