"""Reservations: one conditional UPDATE per resource, in the caller's transaction.

`reserve_host` adds a VM's CPU and memory to the host row only when the result stays within
the host's capacity (CPU times cpu.overprovisioning.factor; memory never over-provisioned,
seed §11.7.2). The database evaluates the condition on the row's latest committed value
under the row lock, so however many servers race, a rowcount of 1 means this transaction
won and nobody can overshoot. `reserve_pool` does the same for a pool's allocated bytes
(storage.overprovisioning.factor for NFS pools). Releases never go below zero.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from appliance.models import Host, StoragePool
from appliance.services import configuration
from appliance.services.allocation.state import NFS


def cpu_capacity(factor: float) -> ColumnElement[Any]:
    """A host's allocatable MHz: cores x core speed x cpu.overprovisioning.factor."""
    return Host.cpu_count * Host.cpu_speed_mhz * literal(float(factor))


def host_fits(cpu_mhz: int, memory: int, cpu_factor: float) -> ColumnElement[bool]:
    return and_(
        Host.cpu_used_mhz + cpu_mhz <= cpu_capacity(cpu_factor),
        Host.memory_used + memory <= Host.memory,
    )


def pool_capacity(storage_factor: float) -> ColumnElement[Any]:
    factor = case((StoragePool.pool_type == NFS, literal(float(storage_factor))),
                  else_=literal(1.0))
    return StoragePool.capacity_bytes * factor


def pool_fits(nbytes: int, storage_factor: float) -> ColumnElement[bool]:
    return StoragePool.allocated_bytes + nbytes <= pool_capacity(storage_factor)


def _expire(session: Session, model: type, row_id: str, *attrs: str) -> None:
    # The UPDATE bypasses the ORM: a row already loaded in this session must be re-read.
    obj = session.identity_map.get(identity_key(model, row_id))
    if obj is not None:
        session.expire(obj, list(attrs))


def reserve_host(session: Session, host_id: str, cpu_mhz: int, memory: int, *,
                 cpu_factor: float | None = None) -> bool:
    """Add `cpu_mhz` and `memory` to the host if they fit; True when reserved."""
    if cpu_factor is None:
        cpu_factor = float(configuration.get(session, "cpu.overprovisioning.factor"))
    stmt = (
        update(Host)
        .where(Host.id == host_id, host_fits(cpu_mhz, memory, cpu_factor))
        .values(cpu_used_mhz=Host.cpu_used_mhz + cpu_mhz,
                memory_used=Host.memory_used + memory)
        .execution_options(synchronize_session=False)
    )
    won = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
    if won:
        _expire(session, Host, host_id, "cpu_used_mhz", "memory_used")
    return won


def release_host(session: Session, host_id: str, cpu_mhz: int, memory: int) -> None:
    """Give back what `reserve_host` took (never below zero)."""
    stmt = (
        update(Host)
        .where(Host.id == host_id)
        .values(
            cpu_used_mhz=case((Host.cpu_used_mhz > cpu_mhz, Host.cpu_used_mhz - cpu_mhz),
                              else_=0),
            memory_used=case((Host.memory_used > memory, Host.memory_used - memory), else_=0),
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(stmt)
    _expire(session, Host, host_id, "cpu_used_mhz", "memory_used")


def reserve_pool(session: Session, pool_id: str, nbytes: int, *,
                 storage_factor: float | None = None) -> bool:
    """Add `nbytes` to the pool's allocated bytes if they fit; True when reserved."""
    if storage_factor is None:
        storage_factor = float(configuration.get(session, "storage.overprovisioning.factor"))
    stmt = (
        update(StoragePool)
        .where(StoragePool.id == pool_id, pool_fits(nbytes, storage_factor))
        .values(allocated_bytes=StoragePool.allocated_bytes + nbytes)
        .execution_options(synchronize_session=False)
    )
    won = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
    if won:
        _expire(session, StoragePool, pool_id, "allocated_bytes")
    return won


def release_pool(session: Session, pool_id: str, nbytes: int) -> None:
    """Give back what `reserve_pool` took (never below zero)."""
    stmt = (
        update(StoragePool)
        .where(StoragePool.id == pool_id)
        .values(allocated_bytes=case(
            (StoragePool.allocated_bytes > nbytes, StoragePool.allocated_bytes - nbytes),
            else_=0))
        .execution_options(synchronize_session=False)
    )
    session.execute(stmt)
    _expire(session, StoragePool, pool_id, "allocated_bytes")
