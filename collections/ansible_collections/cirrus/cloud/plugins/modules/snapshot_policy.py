#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: snapshot_policy
short_description: Manages recurring snapshot policies of volumes
description:
  - Sets and removes the recurring snapshot policies of volumes
    (C(createSnapshotPolicy), C(deleteSnapshotPolicies)); a volume has at most one
    policy per interval type, so a policy is found by its volume and O(interval_type),
    and a different schedule, time zone or retention changes it.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  volume:
    description: Name or id of the volume; or name the volume by O(vm).
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
  interval_type:
    description: How often snapshots are taken.
    type: str
    choices: [hourly, daily, weekly, monthly]
    default: daily
    aliases: [interval]
  schedule:
    description:
      - When the snapshot is taken, in O(time_zone) - V(MM) (hourly), V(MM:HH) (daily),
        V(MM:HH:DD) (weekly, day of week 1-7, 1 is Sunday; monthly, day of month 1-28);
        needed to create the policy.
    type: str
  time_zone:
    description: Time zone the schedule is read in.
    type: str
    default: Etc/UTC
    aliases: [timezone]
  max_snaps:
    description: How many snapshots of the policy are kept.
    type: int
    default: 8
    aliases: [max]
  state:
    description: Whether the policy is present or absent.
    type: str
    choices: [present, absent]
    default: present
  account:
    description: Account of the volume (with O(domain)); the caller's own when not set.
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
- name: Every night at 02:30 New York time, a week kept
  cirrus.cloud.snapshot_policy:
    vm: db-1
    interval_type: daily
    schedule: "30:02"
    time_zone: America/New_York
    max_snaps: 7
"""

RETURN = r"""
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

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    first,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import (
    INTERVALS,
    SNAPSHOT_POLICY,
    interval_name,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.volumes import (
    VOLUME_OPTIONS,
    volume_id,
)


class SnapshotPolicy(ResourceModule):
    noun = "snapshot policy"
    key = "snapshotpolicy"
    list_command = "listSnapshotPolicies"
    create_command = "createSnapshotPolicy"
    delete_command = "deleteSnapshotPolicies"
    tenant = True
    options = {
        **VOLUME_OPTIONS,
        "interval_type": {"type": "str", "default": "daily", "choices": list(INTERVALS),
                          "aliases": ["interval"]},
        "schedule": {"type": "str"},
        "time_zone": {"type": "str", "default": "Etc/UTC", "aliases": ["timezone"]},
        "max_snaps": {"type": "int", "default": 8, "aliases": ["max"]},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    required_one_of = [["volume", "vm"]]
    mutually_exclusive = [["volume", "vm"]]
    fields = (
        Field("volume", "volumeid", ref="volume", mutable=False, required=True),
        Field("interval_type", "intervaltype", values={i: i.upper() for i in INTERVALS},
              mutable=False, required=True, compare=False),
        Field("schedule", "schedule", required=True),
        Field("time_zone", "timezone", required=True, casefold=True),
        Field("max_snaps", "maxsnaps", required=True),
    )
    returns = SNAPSHOT_POLICY

    def get(self):
        absent = self.params["state"] == "absent"
        self.volume_id = volume_id(self, missing_ok=absent)
        if self.volume_id is None:
            return None
        wanted = self.params["interval_type"]
        policies = self.list_objects(self.list_command, self.key, volumeid=self.volume_id)
        found = [p for p in policies if interval_name(p.get("intervaltype")) == wanted]
        return found[0] if found else None

    def wanted(self):
        out = super().wanted()
        out.pop(self.fields[0], None)  # the volume is what the policy is looked up by
        return out

    def create_defaults(self):
        return {"volumeid": self.volume_id}

    def update(self, current, changes):
        # createSnapshotPolicy changes the volume's policy of the same interval type.
        params = {f.param: value for f, value in self.wanted().items()}
        params.update(self.create_defaults(), **changes)
        return first(self.client.call(self.create_command, **params), self.key) or self.get()

    def delete_params(self, current):
        return {"id": current["id"]}

    def returned(self, obj):
        out = super().returned(obj)
        if "interval_type" in out:
            out["interval_type"] = interval_name(out["interval_type"])
        return out


def main():
    SnapshotPolicy.main()


if __name__ == "__main__":
    main()
