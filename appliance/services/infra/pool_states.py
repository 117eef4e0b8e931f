"""Primary storage pool states, changed as compare-and-set on the row's state.

- Up -> PrepareForMaintenance (enableStorageMaintenance) -> Maintenance once every VM with
  a volume on the pool is stopped; -> ErrorInMaintenance when a stop fails, from where
  enableStorageMaintenance tries again.
- Maintenance or ErrorInMaintenance -> CancelMaintenance (cancelStorageMaintenance) -> Up,
  then the VMs that were running are started again.
- Up <-> Disabled (updateStoragePool). The allocator places new volumes on Up pools only.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from appliance.models import StoragePool
from appliance.models.infra import StoragePoolState

P = StoragePoolState
MAINTENANCE_ENTRY = (P.UP, P.ERROR_IN_MAINTENANCE)
MAINTENANCE_EXIT = (P.MAINTENANCE, P.ERROR_IN_MAINTENANCE)


def move(session: Session, pool: StoragePool, to: StoragePoolState,
         *sources: StoragePoolState) -> bool:
    """Set `pool` to `to` if its row is still in one of `sources`; False (and the row's
    current state loaded) when another call changed it first."""
    result = session.execute(
        update(StoragePool)
        .where(StoragePool.id == pool.id, StoragePool.state.in_(sources))
        .values(state=to)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(pool)
        return False
    set_committed_value(pool, "state", to)
    return True
