"""Volumes, snapshots and snapshot policies (seed §7.1–7.5, §7.9), and the per-VM work of a
primary storage pool's maintenance (seed §7.1.2)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appliance.models.base import Base, Created, Timestamp, UTCDateTime, UuidPk


class VolumeType(StrEnum):
    ROOT = "ROOT"
    DATADISK = "DATADISK"


class VolumeState(StrEnum):
    ALLOCATED = "Allocated"  # a row only: the disk is made on first attach (seed §7.5)
    CREATING = "Creating"
    READY = "Ready"
    MIGRATING = "Migrating"  # being copied to another cluster through secondary storage
    UPLOAD_OP = "UploadOp"  # uploadVolume is fetching its URL to secondary storage
    UPLOADED = "Uploaded"  # on secondary storage, copied to primary on first attach
    UPLOAD_ERROR = "UploadError"
    DESTROY = "Destroy"  # deleted: the collector removes it after expunge.delay
    EXPUNGING = "Expunging"
    EXPUNGED = "Expunged"


class Volume(Base):
    """A disk; `pool_id` is None until it is physically created (lazily, nearest its VM).

    `update_count` makes attach/detach/delete compare-and-set: of two concurrent attaches
    of one volume exactly one applies. `detached` is when the volume last left a VM (its
    inactivity for recurring snapshots, seed §7.9.3).
    """

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
    # The snapshot a volume was created from: its content is imported on first attach.
    snapshot_id: Mapped[str | None] = mapped_column(String(36))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[VolumeState] = mapped_column(String(16), default=VolumeState.ALLOCATED)
    update_count: Mapped[int] = mapped_column(Integer, default=0)
    path: Mapped[str | None] = mapped_column(String(1024))
    format: Mapped[str | None] = mapped_column(String(16))
    hypervisor: Mapped[str | None] = mapped_column(String(32))
    # A copy on secondary storage (an uploaded volume, or one moving between clusters):
    # the image store and the path relative to it.
    store_id: Mapped[str | None] = mapped_column(ForeignKey("image_store.id"))
    store_path: Mapped[str | None] = mapped_column(String(1024))
    url: Mapped[str | None] = mapped_column(String(2048))  # uploadVolume's source
    checksum: Mapped[str | None] = mapped_column(String(255))
    progress: Mapped[int] = mapped_column(Integer, default=0)  # upload %, 0-100
    status_text: Mapped[str | None] = mapped_column(Text)  # why an upload/copy failed
    # The pool a move between clusters reserved room in (and may have copied into): a
    # move resumed after a crash gives it back before it starts again.
    move_pool_id: Mapped[str | None] = mapped_column(String(36))
    # extractVolume's download link to the copy on secondary storage (as TemplateZone's).
    extract_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    extract_url: Mapped[str | None] = mapped_column(String(2048))
    extract_expires: Mapped[Timestamp]
    created: Mapped[Created]
    attached: Mapped[Timestamp]
    detached: Mapped[Timestamp]
    destroyed: Mapped[Timestamp]
    removed: Mapped[Timestamp]


class SnapshotState(StrEnum):
    CREATING = "Creating"  # being taken on primary storage
    BACKING_UP = "BackingUp"  # being copied to secondary storage
    BACKED_UP = "BackedUp"
    ERROR = "Error"
    DESTROYED = "Destroyed"


class IntervalType(StrEnum):
    """Recurring snapshot intervals; the value is the wire's intervaltype number's name."""

    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


class Snapshot(Base):
    """A point-in-time copy of a volume, kept on secondary storage (seed §7.9).

    On hypervisors with incremental backups the file is a qcow2 whose backing file is the
    parent snapshot's (`parent_id`); `full` ones start a chain. Deleting a volume keeps its
    snapshots (seed §7.5.3), hence no foreign key to the volume row's life.
    """

    __tablename__ = "snapshot"

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"), index=True)
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    volume_id: Mapped[str] = mapped_column(ForeignKey("volume.id"), index=True)
    volume_type: Mapped[VolumeType] = mapped_column(String(16))
    # MANUAL, or the interval of the recurring policy that took it.
    snapshot_type: Mapped[str] = mapped_column(String(16), default="MANUAL")
    policy_id: Mapped[str | None] = mapped_column(String(36), index=True)
    hypervisor: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[SnapshotState] = mapped_column(String(16), default=SnapshotState.CREATING)
    size: Mapped[int] = mapped_column(BigInteger, default=0)  # the volume's virtual size
    physical_size: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes on the store
    store_id: Mapped[str | None] = mapped_column(ForeignKey("image_store.id"))
    install_path: Mapped[str | None] = mapped_column(String(1024))  # relative to the store
    parent_id: Mapped[str | None] = mapped_column(String(36))
    full: Mapped[bool] = mapped_column(default=True)
    status_text: Mapped[str | None] = mapped_column(Text)
    created: Mapped[Created]
    removed: Mapped[Timestamp]


class SnapshotPolicy(Base):
    """A recurring snapshot schedule of one volume; one per interval type (seed §7.9.1).

    `schedule` is CloudStack's: "MM" hourly, "MM:HH" daily, "MM:HH:DOW" weekly (1 = Sunday),
    "MM:HH:DD" monthly, in `timezone`. `next_run` is the next due time in UTC.
    """

    __tablename__ = "snapshot_policy"
    __table_args__ = (UniqueConstraint("volume_id", "interval_type", "active_key"),)

    id: Mapped[UuidPk]
    volume_id: Mapped[str] = mapped_column(ForeignKey("volume.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    interval_type: Mapped[IntervalType] = mapped_column(String(16))
    schedule: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    max_snaps: Mapped[int] = mapped_column(Integer)
    # "1" while the policy exists, its id once deleted: the unique key then holds only
    # live policies on both backends (NULLs would not collide on MariaDB either way).
    active_key: Mapped[str] = mapped_column(String(36), default="1")
    next_run: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_run: Mapped[Timestamp]
    created: Mapped[Created]
    removed: Mapped[Timestamp]


class StoragePoolWork(Base):
    """A VM a pool's maintenance stopped, restarted when maintenance is cancelled."""

    __tablename__ = "storage_pool_work"
    __table_args__ = (UniqueConstraint("pool_id", "vm_id"),)

    id: Mapped[UuidPk]
    pool_id: Mapped[str] = mapped_column(ForeignKey("storage_pool.id"), index=True)
    vm_id: Mapped[str] = mapped_column(ForeignKey("vm_instance.id"), index=True)
    was_running: Mapped[bool] = mapped_column(default=False)
    stopped: Mapped[bool] = mapped_column(default=False)
    started: Mapped[bool] = mapped_column(default=False)
    created: Mapped[Created]
