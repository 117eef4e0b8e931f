"""Storage statistics, every `storage.stats.interval` seconds (CloudStack's storage stats).

Secondary storage: a store is Up while the management server reads its marker (see
services/storage/secondary.py) and Down otherwise; its size and use are measured while it
is Up. Template, ISO and snapshot operations check availability themselves when they run,
so this record is for the operator (listImageStores, listHosts, listCapacity) and the log.

Primary storage: an Up host that mounts the pool measures it through its driver
(`pool_usage`: libvirt's pool info on KVM/LXC hosts, the bytes the simulator's volume files
take); that becomes the pool's used bytes (listCapacity type 2, disksizeused) and, when the
driver can tell, its capacity. A pool no Up host mounts keeps its last figures.
"""

from __future__ import annotations

import logging
import os
import shutil

from sqlalchemy import select

from appliance.db import Database
from appliance.drivers.hypervisor import driver_for
from appliance.drivers.hypervisor.base import HostAccess, PoolUsage
from appliance.errors import CloudError
from appliance.jobs import scheduler
from appliance.models import Cluster, ImageStore, StoragePool
from appliance.services.infra import hosts
from appliance.services.infra.pool_hosts import hosts_reaching
from appliance.services.storage import secondary

log = logging.getLogger("cirrus.storage")


def _measure(store: ImageStore) -> tuple[str, tuple[int, int] | None]:
    """(state, (total, used) bytes when it can be measured) of one image store."""
    state = secondary.state(store)
    if state != "Up" or not store.local_path:
        return state, None
    try:
        usage = shutil.disk_usage(store.local_path)
    except OSError:
        return state, None
    return state, (usage.total, usage.used)


def _pool_usage(db: Database, pool_id: str, hypervisor: str,
                access: HostAccess) -> PoolUsage | None:
    try:
        return driver_for(hypervisor, db).pool_usage(access, pool_id)
    except CloudError as error:
        log.warning("storage pool %s not measured through host %s: %s", pool_id, access.name,
                    error.text)
        return None


def check_storage(db: Database) -> dict[str, str]:
    """One round over image stores and primary pools; returns {image store id: state}."""
    with db.session(write=False) as session:
        stores = {s.id: _measure(s) for s in session.scalars(
            select(ImageStore).where(ImageStore.removed.is_(None)))}
        measurers: dict[str, tuple[str, HostAccess]] = {}
        for row in session.scalars(select(StoragePool).where(StoragePool.removed.is_(None))):
            reaching = hosts_reaching(session, row)
            if reaching:
                host = reaching[0]
                measurers[row.id] = (str(host.hypervisor), hosts.access(
                    host, session.get(Cluster, host.cluster_id)))
    used = {pool_id: _pool_usage(db, pool_id, *measurer)
            for pool_id, measurer in measurers.items()}
    with db.session(write=True) as session:
        for store_id, (state, usage) in stores.items():
            store = session.get(ImageStore, store_id)
            if store is None or store.removed is not None:
                continue
            if store.state != state:
                level = logging.INFO if state == "Up" else logging.WARNING
                log.log(level, "secondary storage %s (%s) is %s: %s %s", store.name, store.url,
                        state, os.path.join(store.local_path or "", secondary.MARKER),
                        "readable again" if state == "Up" else "cannot be read")
                store.state = state
            if usage is not None:
                store.capacity_bytes, store.used_bytes = usage
        for pool_id, measured in used.items():
            pool = session.get(StoragePool, pool_id)
            if pool is not None and measured is not None:
                pool.used_bytes = measured.used
                if measured.capacity:
                    pool.capacity_bytes = measured.capacity
    return {store_id: state for store_id, (state, _) in stores.items()}


scheduler.register("storage.stats", "storage.stats.interval", check_storage)
