"""Primary storage (seed §4.5): NFS, iSCSI, shared mount points and local directories.

URLs: `nfs://server/path`, `iscsi://server[:port]/iqn/lun`, `SharedMountPoint:///path`
(the same path mounted on every host of the cluster) and `file:///path` (a directory on
the hosts; with the simulator, a directory of the management server). Nothing is mounted
here: hosts attach pools when they use them. Without capacitybytes a `file://` pool whose
directory exists is measured; other pools get `simulator.storage.capacity` GiB.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import unquote, urlsplit

from sqlalchemy import exists, select

from appliance.errors import CloudError, ParamError, ResourceInUse, ResourceUnavailable
from appliance.models import Cluster, Pod, StoragePool, Volume
from appliance.models.base import utcnow
from appliance.models.infra import (
    HypervisorType,
    StoragePoolState,
    StoragePoolType,
    StorageScope,
)
from appliance.models.storage import VolumeState
from appliance.orchestration import hosts as host_setup
from appliance.orchestration import storage_maintenance
from appliance.services import configuration, infra
from appliance.services.context import CallContext
from appliance.services.infra import clusters, pool_states
from appliance.services.paging import Page, keyword_filter, paginate

GIB = 1024**3


def parse_url(url: str) -> tuple[StoragePoolType, str | None, str, int | None]:
    """(type, server, path, port) of a primary storage URL (431 when unusable)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    path = unquote(parts.path)
    if scheme == "nfs":
        if not parts.hostname or not path or path == "/":
            raise ParamError(f"Invalid NFS url {url!r}: expected nfs://server/path")
        return StoragePoolType.NFS, parts.hostname, path, parts.port
    if scheme == "iscsi":
        segments = [s for s in path.split("/") if s]
        if not parts.hostname or len(segments) != 2 or not segments[1].isdigit():
            raise ParamError(f"Invalid iSCSI url {url!r}: expected "
                             "iscsi://server[:port]/iqn/lun")
        return StoragePoolType.ISCSI, parts.hostname, path, parts.port or 3260
    if scheme == "sharedmountpoint":
        if not path.startswith("/") or path == "/":
            raise ParamError(f"Invalid SharedMountPoint url {url!r}: expected "
                             "SharedMountPoint:///path")
        return StoragePoolType.SHARED_MOUNT_POINT, parts.hostname, path, None
    if scheme == "file":
        if not path.startswith("/") or path == "/":
            raise ParamError(f"Invalid file url {url!r}: expected file:///path")
        return StoragePoolType.FILESYSTEM, None, path, None
    raise ParamError(f"Invalid storage url {url!r}: the scheme must be nfs, iscsi, "
                     "SharedMountPoint or file")


def _scope(value: str | None, cluster_id: str | None) -> StorageScope:
    if value is None:
        return StorageScope.CLUSTER if cluster_id else StorageScope.ZONE
    for scope in (StorageScope.CLUSTER, StorageScope.ZONE):
        if scope.value.lower() == value.strip().lower():
            return scope
    raise ParamError(f"Invalid scope {value!r}: expected cluster or zone")


def _capacity(ctx: CallContext, kind: StoragePoolType, path: str, given: int | None) -> int:
    if given is not None:
        if given <= 0:
            raise ParamError(f"Invalid capacitybytes {given}: must be positive")
        return given
    if kind == StoragePoolType.FILESYSTEM and os.path.isdir(path):
        return shutil.disk_usage(path).total
    return int(configuration.get(ctx.session, "simulator.storage.capacity")) * GIB


def _tags(value: str | None) -> str | None:
    if value is None:
        return None
    return ",".join(t.strip() for t in value.split(",") if t.strip()) or None


# libvirt LXC loop-mounts a container's root disk file, and a loop device keeps at most 63
# bytes of its file's name: longer paths fail at start ("Unable to set backing file").
LXC_ROOT_PATH_MAX = 63
VOLUME_NAME_LENGTH = 36  # a volume's file is named by its uuid


def _check_lxc_path(kind: StoragePoolType, path: str, hypervisor: str | None) -> None:
    """431 now rather than a failed start later: the pool cannot hold LXC root disks."""
    if hypervisor != HypervisorType.LXC:
        return
    if kind == StoragePoolType.NFS:
        raise ParamError("LXC clusters cannot use NFS primary storage: its mount point "
                         "under the hosts' mount root makes root disk paths longer than "
                         f"the {LXC_ROOT_PATH_MAX} characters libvirt LXC can loop-mount; "
                         "mount it yourself and add it as SharedMountPoint")
    longest = LXC_ROOT_PATH_MAX - VOLUME_NAME_LENGTH - 1
    if len(path.rstrip("/")) > longest:
        raise ParamError(f"Primary storage path {path} is too long for an LXC cluster: "
                         f"libvirt LXC loop-mounts root disks by a path of at most "
                         f"{LXC_ROOT_PATH_MAX} characters, so the pool's path may have at "
                         f"most {longest}")


def create(ctx: CallContext, *, zone_id: str, pod_id: str | None, cluster_id: str | None,
           name: str, url: str, tags: str | None, capacity_bytes: int | None,
           scope: str | None, hypervisor: str | None) -> StoragePool:
    infra.require_root(ctx, "add primary storage")
    zone = infra.zone(ctx, zone_id)
    kind, server, path, port = parse_url(url)
    where = _scope(scope, cluster_id)
    pod: Pod | None = None
    cluster: Cluster | None = None
    kind_of_hosts: str | None
    if where == StorageScope.CLUSTER:
        if cluster_id is None:
            raise ParamError("clusterid is required for cluster-wide primary storage")
        cluster = infra.cluster(ctx, cluster_id)
        if cluster.zone_id != zone.id or (pod_id is not None and cluster.pod_id != pod_id):
            raise ParamError(f"Cluster {cluster.name} is not in the given zone and pod")
        pod = cluster.pod
        kind_of_hosts = str(cluster.hypervisor)
    else:
        if pod_id is not None or cluster_id is not None:
            raise ParamError("Zone-wide primary storage takes no podid or clusterid")
        kind_of_hosts = str(clusters.hypervisor_type(hypervisor)) if hypervisor else None
    _check_lxc_path(kind, path, kind_of_hosts)
    name = name.strip()
    if not name:
        raise ParamError("Primary storage name must not be empty")
    if ctx.session.scalar(select(StoragePool.id).where(
            StoragePool.zone_id == zone.id, StoragePool.url == url.strip(),
            StoragePool.removed.is_(None))):
        raise ParamError(f"Primary storage with url {url} already exists in zone {zone.name}")
    pool = StoragePool(
        name=name, zone_id=zone.id, pod_id=pod.id if pod else None,
        cluster_id=cluster.id if cluster else None, scope=where, pool_type=kind,
        url=url.strip(), server=server, path=path, port=port, hypervisor=kind_of_hosts,
        capacity_bytes=_capacity(ctx, kind, path, capacity_bytes), tags=_tags(tags),
        state=StoragePoolState.UP)
    ctx.session.add(pool)
    ctx.session.flush()
    targets = host_setup.automated_hosts_of_pool(ctx, pool)
    if targets:
        # KVM/LXC hosts mount it and define it as a libvirt pool before it is offered.
        ctx.checkpoint()
        try:
            host_setup.attach_pool(ctx, pool, targets)
        except CloudError:
            pool.removed = utcnow()
            ctx.checkpoint()
            raise
    return pool


def get(ctx: CallContext, pool_id: str) -> StoragePool:
    return infra.get(ctx, StoragePool, pool_id, what="storage pool")


def update(ctx: CallContext, pool: StoragePool, *, tags: str | None,
           capacity_bytes: int | None, enabled: bool | None) -> StoragePool:
    infra.require_root(ctx, "update primary storage")
    if tags is not None:
        pool.tags = _tags(tags)
    if capacity_bytes is not None:
        if capacity_bytes < pool.allocated_bytes / _factor(ctx, pool):
            raise ParamError(f"capacitybytes {capacity_bytes} is below what is already "
                             f"allocated on {pool.name}")
        pool.capacity_bytes = _capacity(ctx, StoragePoolType(pool.pool_type), pool.path,
                                        capacity_bytes)
    if enabled is not None:
        if pool.state not in (StoragePoolState.UP, StoragePoolState.DISABLED):
            raise ParamError(f"Storage pool {pool.name} is in {pool.state}")
        pool.state = StoragePoolState.UP if enabled else StoragePoolState.DISABLED
    return pool


def _factor(ctx: CallContext, pool: StoragePool) -> float:
    """Overprovisioning of allocations: storage.overprovisioning.factor on NFS, else 1."""
    if pool.pool_type == StoragePoolType.NFS:
        return float(configuration.get(ctx.session, "storage.overprovisioning.factor"))
    return 1.0


def allocatable_bytes(ctx: CallContext, pool: StoragePool) -> int:
    return int(pool.capacity_bytes * _factor(ctx, pool))


def prepare_maintenance(ctx: CallContext, pool: StoragePool) -> StoragePool:
    """enableStorageMaintenance's check: an Up pool (or one whose maintenance failed) goes
    PrepareForMaintenance at once, so no new volume is placed on it (431 otherwise)."""
    infra.require_root(ctx, "put primary storage into maintenance")
    if not pool_states.move(ctx.session, pool, StoragePoolState.PREPARE_FOR_MAINTENANCE,
                            *pool_states.MAINTENANCE_ENTRY):
        raise ParamError(f"Primary storage {pool.name} ({pool.id}) is not ready for "
                         f"maintenance: its state is {pool.state}")
    return pool


def enter_maintenance(ctx: CallContext, pool: StoragePool) -> StoragePool:
    """Stop the VMs with volumes on the pool; Maintenance, or ErrorInMaintenance and 5xx."""
    return storage_maintenance.enter(ctx, pool)


def prepare_cancel_maintenance(ctx: CallContext, pool: StoragePool) -> StoragePool:
    """cancelStorageMaintenance's check: a pool in (or failing to enter) maintenance goes
    CancelMaintenance (534 otherwise, as CloudStack answers)."""
    infra.require_root(ctx, "cancel primary storage maintenance")
    if not pool_states.move(ctx.session, pool, StoragePoolState.CANCEL_MAINTENANCE,
                            *pool_states.MAINTENANCE_EXIT):
        raise ResourceUnavailable(f"Primary storage {pool.name} ({pool.id}) is not in "
                                  f"maintenance: its state is {pool.state}")
    return pool


def cancel_maintenance(ctx: CallContext, pool: StoragePool) -> StoragePool:
    """The pool Up again and the VMs it stopped started again."""
    return storage_maintenance.cancel(ctx, pool)


def delete(ctx: CallContext, pool: StoragePool, *, forced: bool) -> None:
    """Remove a pool; 536 while it holds volumes (forced: unless all are destroyed)."""
    infra.require_root(ctx, "delete primary storage")
    volumes = select(Volume.id).where(Volume.pool_id == pool.id, Volume.removed.is_(None))
    if forced:
        volumes = volumes.where(Volume.state.not_in((VolumeState.DESTROY,
                                                     VolumeState.EXPUNGED)))
    if ctx.session.scalar(select(exists(volumes))):
        raise ResourceInUse(f"Storage pool {pool.name} cannot be deleted: it still has "
                            "volumes")
    targets = host_setup.automated_hosts_of_pool(ctx, pool)
    pool.removed = utcnow()
    if targets:
        host_setup.detach_pool(ctx, pool, targets)


def list_pools(ctx: CallContext, *, pool_id: str | None, name: str | None,
               zone_id: str | None, pod_id: str | None, cluster_id: str | None,
               ip_address: str | None, path: str | None, scope: str | None,
               keyword: str | None, page: int | None,
               pagesize: int | None) -> Page[StoragePool]:
    infra.require_root(ctx, "list primary storage")
    stmt = select(StoragePool).where(StoragePool.removed.is_(None)).order_by(
        StoragePool.created, StoragePool.id)
    for column, value in ((StoragePool.id, pool_id), (StoragePool.name, name),
                          (StoragePool.zone_id, zone_id), (StoragePool.pod_id, pod_id),
                          (StoragePool.cluster_id, cluster_id),
                          (StoragePool.server, ip_address), (StoragePool.path, path)):
        if value is not None:
            stmt = stmt.where(column == value)
    if scope is not None:
        stmt = stmt.where(StoragePool.scope == _scope(scope, None))
    stmt = keyword_filter(stmt, keyword, StoragePool.name)
    return paginate(ctx.session, stmt, page, pagesize)
