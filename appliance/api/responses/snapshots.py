"""Wire shapes of snapshots and snapshot policies."""

from __future__ import annotations

from typing import Any

from appliance.api.responses import ResponseSpec, drop_none, wire_date
from appliance.models import Account, Domain, Snapshot, SnapshotPolicy, Volume, Zone
from appliance.services.context import CallContext
from appliance.services.storage.snapshot_policies import INTERVAL_NUMBERS


def render_snapshot(snapshot: Snapshot, ctx: CallContext) -> dict[str, Any]:
    account = ctx.session.get(Account, snapshot.account_id)
    domain = ctx.session.get(Domain, snapshot.domain_id)
    volume = ctx.session.get(Volume, snapshot.volume_id)
    zone = ctx.session.get(Zone, snapshot.zone_id)
    return drop_none({
        "id": snapshot.id, "name": snapshot.name,
        "account": account.name if account else None, "domainid": snapshot.domain_id,
        "domain": domain.name if domain else None,
        # MANUAL, or the interval of the policy that took it (CloudStack's recurring type).
        "snapshottype": snapshot.snapshot_type, "intervaltype": snapshot.snapshot_type,
        "volumeid": snapshot.volume_id, "volumename": volume.name if volume else None,
        "volumetype": str(snapshot.volume_type), "created": wire_date(snapshot.created),
        "state": str(snapshot.state), "zoneid": snapshot.zone_id,
        "zonename": zone.name if zone else None,
        "physicalsize": snapshot.physical_size, "virtualsize": snapshot.size,
        "locationtype": "Secondary" if snapshot.install_path else None,
        "revertable": False,
    })


SNAPSHOT = ResponseSpec("snapshot", (
    ("id", "ID of the snapshot"), ("name", "name of the snapshot"),
    ("account", "the account associated with the snapshot"),
    ("domainid", "the domain ID of the snapshot's account"),
    ("domain", "the domain name of the snapshot's account"),
    ("snapshottype", "the type of the snapshot: MANUAL, or HOURLY, DAILY, WEEKLY, MONTHLY "
                     "for one a recurring policy took"),
    ("intervaltype", "valid types are hourly, daily, weekly, monthly, and manual"),
    ("volumeid", "ID of the disk volume"), ("volumename", "name of the disk volume"),
    ("volumetype", "type of the disk volume"), ("created", "the date the snapshot was created"),
    ("state", "the state of the snapshot: Creating (being taken on primary storage), "
              "BackingUp (being copied to secondary storage), BackedUp (ready to use)"),
    ("zoneid", "id of the availability zone"), ("zonename", "name of the availability zone"),
    ("physicalsize", "bytes the backed up snapshot takes on secondary storage"),
    ("virtualsize", "virtual size of the backed up snapshot (the volume's size)"),
    ("locationtype", "where the snapshot is kept: Secondary"),
    ("revertable", "whether the volume can be reverted to this snapshot (never here)"),
), render_snapshot)


def render_snapshot_policy(policy: SnapshotPolicy, ctx: CallContext) -> dict[str, Any]:
    return {
        "id": policy.id, "volumeid": policy.volume_id, "schedule": policy.schedule,
        "intervaltype": INTERVAL_NUMBERS[policy.interval_type],
        "maxsnaps": policy.max_snaps, "timezone": policy.timezone,
    }


SNAPSHOT_POLICY = ResponseSpec("snapshotpolicy", (
    ("id", "the ID of the snapshot policy"), ("volumeid", "the ID of the disk volume"),
    ("schedule", "time the snapshot is scheduled to be taken"),
    ("intervaltype", "the interval type of the snapshot policy: 0 hourly, 1 daily, 2 weekly, "
                     "3 monthly"),
    ("maxsnaps", "maximum number of snapshots retained"),
    ("timezone", "the time zone of the snapshot policy"),
), render_snapshot_policy)
