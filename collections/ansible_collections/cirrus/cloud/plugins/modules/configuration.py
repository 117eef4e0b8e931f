#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: configuration
short_description: Manages global settings
description:
  - Sets the value of a global setting (C(updateConfiguration)); compares with
    C(listConfigurations) first. An empty O(value) restores the default.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the setting, for example V(expunge.delay).
    type: str
    required: true
  value:
    description: Value of the setting.
    type: str
    required: true
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: Expunge destroyed VMs after an hour
  cirrus.cloud.configuration:
    name: expunge.delay
    value: "3600"
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    first,
    text,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import CONFIGURATION

BOOLEANS = ("true", "false")


class Configuration(ResourceModule):
    noun = "setting"
    key = "configuration"
    list_command = "listConfigurations"
    update_command = "updateConfiguration"
    options = {
        "name": {"type": "str", "required": True},
        "value": {"type": "str", "required": True},
    }
    fields = (
        Field("name", "name", create=False, required=True),
        Field("value", "value", create=False),
    )
    returns = CONFIGURATION

    def get(self):
        name = self.params["name"]  # listConfigurations matches names by substring
        return self.find(self.list_command, self.key, match={"name": name}, name=name)

    def run(self):
        current = self.get()
        if current is None:
            self.fail(f"no setting is named {self.params['name']!r}")
        value = self.params["value"]
        restored = value == "" and same_value(current.get("value"), current.get("defaultvalue"))
        if not restored and not same_value(current.get("value"), value):
            self.changed({"value": current.get("value")}, {"value": value})
            if self.module.check_mode:
                current = dict(current, value=value)
            else:
                answer = self.client.call(self.update_command, name=current["name"],
                                          value=value)
                current = first(answer, self.key) or self.get()
        self.result.update(self.returned(current))
        self.result["diff"] = {"before": self.before, "after": self.after}


def same_value(actual, wanted):
    """Settings compare as text; booleans in any case (YAML's True is the API's true)."""
    left, right = text(actual), text(wanted)
    if left.lower() in BOOLEANS and right.lower() in BOOLEANS:
        return left.lower() == right.lower()
    return left == right


def main():
    Configuration.main()


if __name__ == "__main__":
    main()
