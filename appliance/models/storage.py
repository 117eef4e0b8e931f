"""Volumes (seed §7.1–7.4): root disks made with their VM and data disks."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from appliance.models.base import Base, Created, Timestamp, UuidPk


class VolumeType(StrEnum):
    ROOT = "ROOT"
    DATADISK = "DATADISK"


class VolumeState(StrEnum):
    ALLOCATED = "Allocated"
    CREATING = "Creating"
    READY = "Ready"
    DESTROY = "Destroy"
    EXPUNGING = "Expunging"
    EXPUNGED = "Expunged"


class Volume(Base):
    """A disk; `pool_id` is None until it is physically created (lazily, nearest its VM)."""

    __tablename__ = "volume"

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"), index=True)
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    pod_id: Mapped[str | None] = mapped_column(ForeignKey("pod.id"))
    pool_id: Mapped[str | None] = mapped_column(ForeignKey("storage_pool.id"), index=True)
    vm_id: Mapped[str | None] = mapped_column(ForeignKey("vm_instance.id"), index=True)
    volume_type: Mapped[VolumeType] = mapped_column(String(16))
    device_id: Mapped[int | None] = mapped_column(Integer)
    disk_offering_id: Mapped[str | None] = mapped_column(ForeignKey("disk_offering.id"))
    template_id: Mapped[str | None] = mapped_column(ForeignKey("template.id"))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[VolumeState] = mapped_column(String(16), default=VolumeState.ALLOCATED)
    path: Mapped[str | None] = mapped_column(String(1024))
    format: Mapped[str | None] = mapped_column(String(16))
    hypervisor: Mapped[str | None] = mapped_column(String(32))
    created: Mapped[Created]
    attached: Mapped[Timestamp]
    destroyed: Mapped[Timestamp]
    removed: Mapped[Timestamp]
