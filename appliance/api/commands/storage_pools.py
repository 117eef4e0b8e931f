"""createStoragePool, updateStoragePool, deleteStoragePool, listStoragePools, and primary
storage maintenance (seed §7.1.2): enableStorageMaintenance, cancelStorageMaintenance."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, LONG, MAP, STRING, UUID, param
from appliance.api.registry import ROOT_ADMIN, Command, ListCommand, api_command
from appliance.api.responses.infra import STORAGE_POOL
from appliance.models import StoragePool
from appliance.services.context import CallContext
from appliance.services.infra import storage_pools
from appliance.services.paging import Page


@api_command("createStoragePool", response=STORAGE_POOL, roles=ROOT_ADMIN,
             related=("listStoragePools",))
@dataclass(frozen=True)
class CreateStoragePool(Command):
    """Creates a storage pool."""

    zoneid: str = param(UUID, required=True, doc="the Zone ID for the storage pool")
    name: str = param(STRING, required=True, doc="the name for the storage pool")
    url: str = param(STRING, required=True, length=1024,
                     doc="the URL of the storage pool: nfs://server/path, "
                     "iscsi://server/iqn/lun, SharedMountPoint:///path or file:///path")
    podid: str | None = param(UUID, doc="the Pod ID for the storage pool")
    clusterid: str | None = param(UUID, doc="the cluster ID for the storage pool")
    tags: str | None = param(STRING, length=1024, doc="the tags for the storage pool")
    capacitybytes: int | None = param(LONG, doc="bytes CloudStack can provision from this "
                                      "storage pool")
    scope: str | None = param(STRING, doc="the scope of the storage: cluster or zone")
    hypervisor: str | None = param(STRING, doc="hypervisor type of the hosts in zone that "
                                   "will be attached to this storage pool")
    details: dict[str, object] | None = param(MAP, doc="the details for the storage pool")

    def run(self, ctx: CallContext) -> StoragePool:
        return storage_pools.create(
            ctx, zone_id=self.zoneid, pod_id=self.podid, cluster_id=self.clusterid,
            name=self.name, url=self.url, tags=self.tags, capacity_bytes=self.capacitybytes,
            scope=self.scope, hypervisor=self.hypervisor)


@api_command("updateStoragePool", response=STORAGE_POOL, roles=ROOT_ADMIN,
             related=("listStoragePools",))
@dataclass(frozen=True)
class UpdateStoragePool(Command):
    """Updates a storage pool."""

    id: str = param(UUID, required=True, doc="the Id of the storage pool")
    tags: str | None = param(STRING, length=1024, doc="comma-separated list of tags for the "
                             "storage pool")
    capacitybytes: int | None = param(LONG, doc="bytes CloudStack can provision from this "
                                      "storage pool")
    enabled: bool | None = param(BOOLEAN, doc="false to disable the pool for allocation of "
                                 "new volumes, true to enable it back")

    def run(self, ctx: CallContext) -> StoragePool:
        return storage_pools.update(ctx, storage_pools.get(ctx, self.id), tags=self.tags,
                                    capacity_bytes=self.capacitybytes, enabled=self.enabled)


@api_command("enableStorageMaintenance", response=STORAGE_POOL, is_async=True,
             roles=ROOT_ADMIN, event="MAINT.PREPARE.PS", instance_type="StoragePool",
             idempotent=True)
@dataclass(frozen=True)
class EnableStorageMaintenance(Command):
    """Puts storage pool into maintenance state"""

    id: str = param(UUID, required=True, doc="Primary storage ID")

    def accept(self, ctx: CallContext) -> str | None:
        return storage_pools.prepare_maintenance(ctx, storage_pools.get(ctx, self.id)).id

    def run(self, ctx: CallContext) -> StoragePool:
        return storage_pools.enter_maintenance(ctx, storage_pools.get(ctx, self.id))

    def describe(self) -> str:
        return f"preparing storage pool {self.id} for maintenance"


@api_command("cancelStorageMaintenance", response=STORAGE_POOL, is_async=True,
             roles=ROOT_ADMIN, event="MAINT.CANCEL.PS", instance_type="StoragePool",
             idempotent=True)
@dataclass(frozen=True)
class CancelStorageMaintenance(Command):
    """Cancels maintenance for primary storage"""

    id: str = param(UUID, required=True, doc="the primary storage ID")

    def accept(self, ctx: CallContext) -> str | None:
        return storage_pools.prepare_cancel_maintenance(ctx, storage_pools.get(ctx, self.id)).id

    def run(self, ctx: CallContext) -> StoragePool:
        return storage_pools.cancel_maintenance(ctx, storage_pools.get(ctx, self.id))

    def describe(self) -> str:
        return f"cancelling the maintenance of storage pool {self.id}"


@api_command("deleteStoragePool", roles=ROOT_ADMIN)
@dataclass(frozen=True)
class DeleteStoragePool(Command):
    """Deletes a storage pool."""

    id: str = param(UUID, required=True, doc="Storage pool id")
    forced: bool | None = param(BOOLEAN, doc="delete even if destroyed volumes remain on it")

    def run(self, ctx: CallContext) -> None:
        storage_pools.delete(ctx, storage_pools.get(ctx, self.id), forced=bool(self.forced))


@api_command("listStoragePools", response=STORAGE_POOL, roles=ROOT_ADMIN)
@dataclass(frozen=True)
class ListStoragePools(ListCommand):
    """Lists storage pools."""

    id: str | None = param(UUID, doc="the ID of the storage pool")
    name: str | None = param(STRING, doc="the name of the storage pool")
    zoneid: str | None = param(UUID, doc="the Zone ID for the storage pool")
    podid: str | None = param(UUID, doc="the Pod ID for the storage pool")
    clusterid: str | None = param(UUID, doc="list storage pools belonging to the cluster")
    ipaddress: str | None = param(STRING, doc="the IP address for the storage pool")
    path: str | None = param(STRING, length=1024, doc="the storage pool path")
    scope: str | None = param(STRING, doc="the scope of the storage pool: cluster or zone")

    def run(self, ctx: CallContext) -> Page[StoragePool]:
        return storage_pools.list_pools(
            ctx, pool_id=self.id, name=self.name, zone_id=self.zoneid, pod_id=self.podid,
            cluster_id=self.clusterid, ip_address=self.ipaddress, path=self.path,
            scope=self.scope, keyword=self.keyword, page=self.page, pagesize=self.pagesize)
