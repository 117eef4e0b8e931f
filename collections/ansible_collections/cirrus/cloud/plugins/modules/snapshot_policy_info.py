#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: snapshot_policy_info
short_description: Lists snapshot policies the caller may see
description:
  - Lists recurring snapshot policies (C(listSnapshotPolicies)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  volume:
    description: Name or id of the volume of the policies; or name the volume by O(vm).
    type: str
  vm:
    description: Name or id of the virtual machine whose volume is meant.
    type: str
    aliases: [instance]
  volume_type:
    description: Which volume of O(vm) is meant.
    type: str
    choices: [ROOT, DATADISK]
    default: ROOT
  device_id:
    description: Device id of the volume of O(vm), to tell its data disks apart.
    type: int
  account:
    description: Account of the volume (with O(domain)); the caller's own when not set.
    type: str
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain of O(account); V(ROOT) when only
      O(account) is set.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.info_attributes
"""

EXAMPLES = r"""
- name: List them
  cirrus.cloud.snapshot_policy_info:
    volume: db-data
  register: found
"""

RETURN = r"""
snapshot_policies:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the policy.
      returned: success
      type: str
    volume_id:
      description: Id of the volume of the policy.
      returned: success
      type: str
    schedule:
      description: When the snapshot is taken.
      returned: success
      type: str
      sample: "30:02"
    interval_type:
      description: How often snapshots are taken.
      returned: success
      type: str
      sample: daily
    max_snaps:
      description: How many snapshots of the policy are kept.
      returned: success
      type: int
      sample: 7
    time_zone:
      description: Time zone of the schedule.
      returned: success
      type: str
      sample: America/New_York
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import (
    SNAPSHOT_POLICY,
    interval_name,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.volumes import (
    VOLUME_OPTIONS,
    volume_id,
)


class SnapshotPolicyInfo(InfoModule):
    list_command = "listSnapshotPolicies"
    key = "snapshotpolicy"
    plural = "snapshot_policies"
    tenant = True
    options = {
        **VOLUME_OPTIONS,
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    required_one_of = [["volume", "vm"]]
    mutually_exclusive = [["volume", "vm"]]
    filters = (
        Field("volume", "volumeid", ref="volume"),
    )
    returns = SNAPSHOT_POLICY

    def run(self):
        volume = volume_id(self, missing_ok=True)
        policies = self.list_objects(self.list_command, self.key, volumeid=volume) \
            if volume else []
        self.result[self.plural] = [self.returned(policy) for policy in policies]

    def returned(self, obj):
        out = super().returned(obj)
        if "interval_type" in out:
            out["interval_type"] = interval_name(out["interval_type"])
        return out


def main():
    SnapshotPolicyInfo.main()


if __name__ == "__main__":
    main()
