#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: snapshot_info
short_description: Lists volume snapshots the caller may see
description:
  - Lists volume snapshots (C(listSnapshots)), filtered on the server by the options set.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name or id of the snapshot.
    type: str
  volume:
    description: Name or id of the volume of the snapshots.
    type: str
  zone:
    description: Name or id of the zone.
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
  cirrus.cloud.snapshot_info:
    volume: db-data
  register: found
"""

RETURN = r"""
snapshots:
  description: The matching objects.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id of the snapshot.
      returned: success
      type: str
    name:
      description: Name of the snapshot.
      returned: success
      type: str
      sample: db-1-before-upgrade
    account:
      description: Account of the snapshot.
      returned: success
      type: str
    domain:
      description: Domain of the snapshot.
      returned: success
      type: str
    domain_id:
      description: Id of the domain of the snapshot.
      returned: success
      type: str
    snapshot_type:
      description: "How the snapshot was taken: MANUAL, or by a policy: HOURLY, DAILY, WEEKLY or MONTHLY."
      returned: success
      type: str
      sample: MANUAL
    interval_type:
      description: Interval of the policy that took the snapshot, or MANUAL.
      returned: success
      type: str
    volume:
      description: Name of the volume of the snapshot.
      returned: success
      type: str
    volume_id:
      description: Id of the volume of the snapshot.
      returned: success
      type: str
    volume_type:
      description: "Type of that volume: ROOT or DATADISK."
      returned: success
      type: str
    created:
      description: When the snapshot was taken.
      returned: success
      type: str
    snapshot_state:
      description: "State of the snapshot: BackedUp once it is on secondary storage."
      returned: success
      type: str
      sample: BackedUp
    zone:
      description: Name of the zone of the snapshot.
      returned: success
      type: str
    zone_id:
      description: Id of the zone of the snapshot.
      returned: success
      type: str
    physical_size:
      description: Bytes the snapshot takes on secondary storage.
      returned: success
      type: int
    virtual_size:
      description: Size of the volume when the snapshot was taken, in bytes.
      returned: success
      type: int
    location_type:
      description: Where the snapshot is kept.
      returned: success
      type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import Field, InfoModule
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import SNAPSHOT


class SnapshotInfo(InfoModule):
    list_command = "listSnapshots"
    key = "snapshot"
    plural = "snapshots"
    owned = True
    tenant = True
    options = {
        "name": {"type": "str"},
        "volume": {"type": "str"},
        "zone": {"type": "str"},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    filters = (
        Field("name", "name"),
        Field("volume", "volumeid", ref="volume"),
        Field("zone", "zoneid", ref="zone"),
        Field("account", "account"),
        Field("domain", "domainid", ref="domain"),
    )
    returns = SNAPSHOT


def main():
    SnapshotInfo.main()


if __name__ == "__main__":
    main()
