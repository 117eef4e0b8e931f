"""Snapshots of volumes and their recurring policies (seed §7.9)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import INTEGER, LIST, STRING, UUID, param
from appliance.api.registry import Command, ListCommand, OwnedListCommand, api_command
from appliance.api.responses.snapshots import SNAPSHOT, SNAPSHOT_POLICY
from appliance.errors import InternalError
from appliance.jobs import queue
from appliance.models import Snapshot, SnapshotPolicy
from appliance.orchestration import snapshots as orchestration
from appliance.services.context import CallContext
from appliance.services.paging import Page
from appliance.services.storage import snapshot_policies, snapshots


@api_command("createSnapshot", response=SNAPSHOT, is_async=True, event="SNAPSHOT.CREATE",
             instance_type="Snapshot", idempotent=True, related=("listSnapshots",))
@dataclass(frozen=True)
class CreateSnapshot(Command):
    """Creates an instant snapshot of a volume: taken on primary storage, kept on the zone's
    secondary storage"""

    volumeid: str = param(UUID, required=True, doc="The ID of the disk volume")
    policyid: str | None = param(UUID, doc="the recurring snapshot policy this snapshot "
                                 "belongs to (its maxsnaps then applies); manual without")
    name: str | None = param(STRING, doc="the name of the snapshot (generated without: "
                             "<vm>_<volume>_<yyyyMMddHHmmss>)")
    account: str | None = param(STRING, doc="accepted for compatibility: a snapshot belongs "
                                "to its volume's owner")
    domainid: str | None = param(UUID, doc="accepted for compatibility: a snapshot belongs "
                                 "to its volume's owner")

    def accept(self, ctx: CallContext) -> str | None:
        return snapshots.create(ctx, self.volumeid, policy_id=self.policyid, name=self.name).id

    def run(self, ctx: CallContext) -> Snapshot:
        snapshot_id = queue.instance_id(ctx.session, ctx.job_id)
        snapshot = ctx.session.get(Snapshot, snapshot_id) if snapshot_id else None
        if snapshot is None:
            raise InternalError("createSnapshot job has no snapshot")
        return orchestration.take(ctx, snapshot)

    def describe(self) -> str:
        return f"snapshot of volume {self.volumeid}"


@api_command("deleteSnapshot", is_async=True, event="SNAPSHOT.DELETE", instance_type="Snapshot",
             idempotent=True)
@dataclass(frozen=True)
class DeleteSnapshot(Command):
    """Deletes a snapshot; snapshots taken after it stay usable"""

    id: str = param(UUID, required=True, doc="The ID of the snapshot")

    def accept(self, ctx: CallContext) -> str | None:
        return snapshots.check_deletable(ctx, self.id).id

    def run(self, ctx: CallContext) -> None:
        snapshot = ctx.session.get(Snapshot, self.id)
        if snapshot is None or snapshot.removed is not None:
            return  # a resumed job: already done
        snapshots.check_deletable(ctx, self.id)
        orchestration.delete(ctx, snapshot)


@api_command("listSnapshots", response=SNAPSHOT)
@dataclass(frozen=True)
class ListSnapshots(OwnedListCommand):
    """Lists the snapshots the caller may see"""

    id: str | None = param(UUID, doc="lists the snapshot by id")
    volumeid: str | None = param(UUID, doc="the ID of the disk volume")
    name: str | None = param(STRING, doc="lists the snapshot by name")
    snapshottype: str | None = param(STRING, doc="valid values are MANUAL or RECURRING")
    intervaltype: str | None = param(STRING, doc="valid values are HOURLY, DAILY, WEEKLY, "
                                     "and MONTHLY")
    zoneid: str | None = param(UUID, doc="list snapshots by zone id")

    def run(self, ctx: CallContext) -> Page[Snapshot]:
        return snapshots.list_snapshots(ctx, snapshots.SnapshotFilter(
            id=self.id, volume_id=self.volumeid, name=self.name,
            snapshot_type=self.snapshottype, interval_type=self.intervaltype,
            zone_id=self.zoneid, keyword=self.keyword), owner=self.owner_filter(),
            page=self.page, pagesize=self.pagesize)


@api_command("createSnapshotPolicy", response=SNAPSHOT_POLICY, event="SNAPSHOTPOLICY.CREATE",
             related=("listSnapshotPolicies",))
@dataclass(frozen=True)
class CreateSnapshotPolicy(Command):
    """Creates a recurring snapshot policy for a volume, or changes the volume's policy of
    the same interval type"""

    volumeid: str = param(UUID, required=True, doc="the ID of the disk volume")
    intervaltype: str = param(STRING, required=True, doc="valid values are HOURLY, DAILY, "
                              "WEEKLY, and MONTHLY")
    schedule: str = param(STRING, required=True, doc="time the snapshot is taken: MM "
                          "(hourly), MM:HH (daily), MM:HH:DD (weekly, day of week 1-7, "
                          "1 = Sunday; monthly, day of month 1-28)")
    timezone: str = param(STRING, required=True, doc="the time zone the schedule is read in "
                          "(Appendix A, e.g. America/New_York, Etc/UTC)")
    maxsnaps: int = param(INTEGER, required=True, doc="maximum number of snapshots to "
                          "retain; at most snapshot.max.<interval>")

    def run(self, ctx: CallContext) -> SnapshotPolicy:
        return snapshot_policies.create(ctx, volume_id=self.volumeid,
                                        interval=self.intervaltype, schedule=self.schedule,
                                        timezone=self.timezone, max_snaps=self.maxsnaps)

    def describe(self) -> str:
        return f"{self.intervaltype.lower()} snapshot policy of volume {self.volumeid}"


@api_command("deleteSnapshotPolicies", event="SNAPSHOTPOLICY.DELETE")
@dataclass(frozen=True)
class DeleteSnapshotPolicies(Command):
    """Deletes snapshot policies; the snapshots they took are kept"""

    id: str | None = param(UUID, doc="the Id of the snapshot policy")
    ids: list[str] | None = param(LIST, item_type=UUID, doc="list of snapshots policy IDs "
                                  "separated by comma")

    def run(self, ctx: CallContext) -> None:
        snapshot_policies.delete(ctx, [*([self.id] if self.id else []), *(self.ids or [])])


@api_command("listSnapshotPolicies", response=SNAPSHOT_POLICY)
@dataclass(frozen=True)
class ListSnapshotPolicies(ListCommand):
    """Lists snapshot policies"""

    volumeid: str | None = param(UUID, doc="the ID of the disk volume")
    id: str | None = param(UUID, doc="the ID of the snapshot policy")

    def run(self, ctx: CallContext) -> Page[SnapshotPolicy]:
        return snapshot_policies.list_policies(ctx, volume_id=self.volumeid,
                                               policy_id=self.id, page=self.page,
                                               pagesize=self.pagesize)
