"""What users choose from (seed §3, §7.6–7.8): offerings, OS types, templates and ISOs, tags.

Offerings are immutable apart from name and display text; deleting one sets `removed`,
which hides it from new deployments while VMs that use it keep pointing at the row.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from appliance.models.base import Base, Created, Timestamp, UuidPk


class ServiceOffering(Base):
    """CPU, memory and placement hints of a VM (seed §3.1)."""

    __tablename__ = "service_offering"

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    display_text: Mapped[str] = mapped_column(String(4096))
    cpu_number: Mapped[int] = mapped_column(Integer)
    cpu_speed: Mapped[int] = mapped_column(Integer)
    memory: Mapped[int] = mapped_column(Integer)  # MiB, as the API counts it
    offer_ha: Mapped[bool] = mapped_column(default=False)
    limit_cpu_use: Mapped[bool] = mapped_column(default=False)
    storage_type: Mapped[str] = mapped_column(String(8), default="shared")
    tags: Mapped[str | None] = mapped_column(String(1024))  # storage tags
    host_tags: Mapped[str | None] = mapped_column(String(1024))
    network_rate: Mapped[int | None] = mapped_column(Integer)
    # Advanced zones use Virtual networking, basic zones Direct (seed §3.1 "network type").
    guest_ip_type: Mapped[str] = mapped_column(String(16), default="Virtual")
    domain_id: Mapped[str | None] = mapped_column(ForeignKey("domain.id"), index=True)
    is_system: Mapped[bool] = mapped_column(default=False)
    system_vm_type: Mapped[str | None] = mapped_column(String(32))
    created: Mapped[Created]
    removed: Mapped[Timestamp]


class DiskOffering(Base):
    """A data disk size (fixed or chosen by the user) and storage tags (seed §3.2)."""

    __tablename__ = "disk_offering"

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    display_text: Mapped[str] = mapped_column(String(4096))
    disk_size: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes; 0 when custom
    is_customized: Mapped[bool] = mapped_column(default=False)
    tags: Mapped[str | None] = mapped_column(String(1024))
    storage_type: Mapped[str] = mapped_column(String(8), default="shared")
    domain_id: Mapped[str | None] = mapped_column(ForeignKey("domain.id"), index=True)
    created: Mapped[Created]
    removed: Mapped[Timestamp]


class NetworkOffering(Base):
    """How a guest network is built; DefaultVirtualizedNetwork's availability (seed §3.3)."""

    __tablename__ = "network_offering"

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255), unique=True)
    display_text: Mapped[str] = mapped_column(String(4096))
    traffic_type: Mapped[str] = mapped_column(String(16), default="Guest")
    guest_ip_type: Mapped[str] = mapped_column(String(16), default="Virtual")
    availability: Mapped[str] = mapped_column(String(16), default="Optional")
    is_default: Mapped[bool] = mapped_column(default=False)
    specify_vlan: Mapped[bool] = mapped_column(default=False)
    network_rate: Mapped[int | None] = mapped_column(Integer)
    # JSON list of the services offered, e.g. ["Dhcp", "Dns", "SourceNat", "Lb"].
    services: Mapped[str] = mapped_column(Text, default="[]")
    state: Mapped[str] = mapped_column(String(16), default="Enabled")
    is_system: Mapped[bool] = mapped_column(default=False)
    created: Mapped[Created]
    removed: Mapped[Timestamp]


class OsCategory(Base):
    __tablename__ = "os_category"

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255), unique=True)


class OsType(Base):
    __tablename__ = "os_type"

    id: Mapped[UuidPk]
    category_id: Mapped[str] = mapped_column(ForeignKey("os_category.id"), index=True)
    description: Mapped[str] = mapped_column(String(255), unique=True)

    category: Mapped[OsCategory] = relationship()


class TemplateState(StrEnum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"


class Template(Base):
    """A template or ISO (is_iso), owned by an account; per-zone copies in TemplateZone."""

    __tablename__ = "template"

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    display_text: Mapped[str] = mapped_column(String(4096))
    is_iso: Mapped[bool] = mapped_column(default=False)
    format: Mapped[str] = mapped_column(String(16))  # QCOW2, VHD, VMDK, RAW, ISO, TAR
    hypervisor: Mapped[str | None] = mapped_column(String(32))
    os_type_id: Mapped[str | None] = mapped_column(ForeignKey("os_type.id"))
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"), index=True)
    template_type: Mapped[str] = mapped_column(String(16), default="USER")
    url: Mapped[str | None] = mapped_column(String(2048))
    checksum: Mapped[str | None] = mapped_column(String(255))
    is_public: Mapped[bool] = mapped_column(default=False)
    is_featured: Mapped[bool] = mapped_column(default=False)
    is_extractable: Mapped[bool] = mapped_column(default=False)
    password_enabled: Mapped[bool] = mapped_column(default=False)
    bootable: Mapped[bool] = mapped_column(default=True)
    requires_hvm: Mapped[bool] = mapped_column(default=True)
    cross_zones: Mapped[bool] = mapped_column(default=False)
    state: Mapped[TemplateState] = mapped_column(String(16), default=TemplateState.ACTIVE)
    # Set when the template was made from a VM's volume or a snapshot (issue 6).
    source_volume_id: Mapped[str | None] = mapped_column(String(36))
    source_snapshot_id: Mapped[str | None] = mapped_column(String(36))
    created: Mapped[Created]
    removed: Mapped[Timestamp]

    os_type: Mapped[OsType | None] = relationship()


class DownloadStatus(StrEnum):
    NOT_DOWNLOADED = "NOT_DOWNLOADED"
    DOWNLOAD_IN_PROGRESS = "DOWNLOAD_IN_PROGRESS"
    DOWNLOADED = "DOWNLOADED"
    DOWNLOAD_ERROR = "DOWNLOAD_ERROR"
    ABANDONED = "ABANDONED"


class TemplateZone(Base):
    """A template's copy on one zone's secondary storage, with its download progress."""

    __tablename__ = "template_zone"
    __table_args__ = (UniqueConstraint("template_id", "zone_id"),)

    id: Mapped[UuidPk]
    template_id: Mapped[str] = mapped_column(ForeignKey("template.id"), index=True)
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    image_store_id: Mapped[str | None] = mapped_column(ForeignKey("image_store.id"))
    status: Mapped[DownloadStatus] = mapped_column(String(32),
                                                   default=DownloadStatus.NOT_DOWNLOADED)
    download_pct: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    install_path: Mapped[str | None] = mapped_column(String(1024))
    size: Mapped[int] = mapped_column(BigInteger, default=0)  # virtual size
    physical_size: Mapped[int] = mapped_column(BigInteger, default=0)
    # extractTemplate's download link: a random token and when it stops working.
    extract_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    extract_url: Mapped[str | None] = mapped_column(String(2048))
    extract_expires: Mapped[Timestamp]
    created: Mapped[Created]
    updated: Mapped[Timestamp]
    removed: Mapped[Timestamp]

    template: Mapped[Template] = relationship()

    @property
    def ready(self) -> bool:
        return self.status == DownloadStatus.DOWNLOADED and self.removed is None


class TemplatePermission(Base):
    """An account allowed to use someone else's private template (seed §7.7)."""

    __tablename__ = "template_permission"
    __table_args__ = (UniqueConstraint("template_id", "account_id"),)

    id: Mapped[UuidPk]
    template_id: Mapped[str] = mapped_column(ForeignKey("template.id", ondelete="CASCADE"),
                                             index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            index=True)


class ResourceTag(Base):
    """A user's key=value tag on one of its resources (createTags)."""

    __tablename__ = "resource_tag"
    __table_args__ = (UniqueConstraint("resource_type", "resource_id", "key"),)

    id: Mapped[UuidPk]
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(36), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"))
    customer: Mapped[str | None] = mapped_column(String(255))
    created: Mapped[Created]
