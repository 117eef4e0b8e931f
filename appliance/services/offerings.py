"""Service, disk and network offerings (seed §3.1–3.3): the catalog users deploy from.

Offerings are immutable apart from name and display text (and a network offering's
availability); deleting one sets `removed`: it disappears from lists and new deployments
while the VMs and volumes that use it keep pointing at the row. Public offerings
(no domain) serve everyone, a domain's offerings serve that domain's subtree.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from appliance.errors import ParamError, PermissionDenied
from appliance.models import DiskOffering, NetworkOffering, ServiceOffering, VirtualMachine
from appliance.models.base import utcnow
from appliance.services import configuration, tenancy
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate

GIB = 1024**3
STORAGE_TYPES = ("shared", "local")
AVAILABILITIES = ("Required", "Optional", "Unavailable")
# ACS 2.2's default guest network offerings (NetworkOffering.DefaultVirtualizedNetworkOffering).
DEFAULT_VIRTUAL = "DefaultVirtualizedNetworkOffering"
DEFAULT_DIRECT = "DefaultDirectNetworkOffering"

Offering = TypeVar("Offering", ServiceOffering, DiskOffering)


def _require_root(ctx: CallContext, what: str) -> None:
    if not ctx.caller.is_root_admin:
        raise PermissionDenied(f"Only a root admin can manage {what}")


def _text(value: str | None, name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ParamError(f"Parameter {name} must not be empty")
    return value


def _storage_type(value: str | None) -> str:
    kind = (value or "shared").lower()
    if kind not in STORAGE_TYPES:
        raise ParamError(f"Invalid storagetype {value!r}: expected shared or local")
    return kind


def _positive(value: int, name: str) -> int:
    if value < 1:
        raise ParamError(f"Invalid value {value} for {name}: must be a positive number")
    return value


def _domain_id(ctx: CallContext, domain_id: str | None) -> str | None:
    return tenancy.get_domain(ctx, domain_id).id if domain_id else None


def _get(ctx: CallContext, model: type[Offering], offering_id: str, what: str) -> Offering:
    """An offering the caller may see, not deleted (431 unknown or removed)."""
    offering = ctx.session.get(model, offering_id)
    if offering is None or offering.removed is not None:
        raise ParamError(f"Unable to find {what} by id {offering_id}")
    tenancy.check_catalog_use(ctx, offering.domain_id, what=f"{what} {offering_id}")
    return offering


def _rename(offering: Any, name: str | None, display_text: str | None) -> None:
    if name is not None:
        offering.name = _text(name, "name")
    if display_text is not None:
        offering.display_text = _text(display_text, "displaytext")


def _visible(stmt: Select[Any], ctx: CallContext, model: Any, *, offering_id: str | None,
             name: str | None, domain_id: str | None, keyword: str | None) -> Select[Any]:
    stmt = stmt.where(model.removed.is_(None), tenancy.catalog_visible(ctx, model.domain_id))
    if offering_id is not None:
        stmt = stmt.where(model.id == offering_id)
    if name is not None:
        stmt = stmt.where(model.name == name)
    if domain_id is not None:
        tenancy.get_domain(ctx, domain_id)
        stmt = stmt.where(model.domain_id == domain_id)
    return keyword_filter(stmt, keyword, model.name, model.display_text)


# -- service offerings ---------------------------------------------------------------

def create_service_offering(
    ctx: CallContext, *, name: str, display_text: str, cpu_number: int, cpu_speed: int,
    memory: int, offer_ha: bool = False, limit_cpu_use: bool = False,
    storage_type: str | None = None, tags: str | None = None, host_tags: str | None = None,
    network_rate: int | None = None, domain_id: str | None = None,
) -> ServiceOffering:
    _require_root(ctx, "service offerings")
    if network_rate is not None and network_rate < 0:
        raise ParamError(f"Invalid networkrate {network_rate}: must not be negative")
    offering = ServiceOffering(
        name=_text(name, "name"), display_text=_text(display_text, "displaytext"),
        cpu_number=_positive(cpu_number, "cpunumber"), cpu_speed=_positive(cpu_speed, "cpuspeed"),
        memory=_positive(memory, "memory"), offer_ha=offer_ha, limit_cpu_use=limit_cpu_use,
        storage_type=_storage_type(storage_type), tags=tags or None, host_tags=host_tags or None,
        network_rate=network_rate, domain_id=_domain_id(ctx, domain_id))
    ctx.session.add(offering)
    ctx.session.flush()
    return offering


def get_service_offering(ctx: CallContext, offering_id: str) -> ServiceOffering:
    return _get(ctx, ServiceOffering, offering_id, "service offering")


def update_service_offering(ctx: CallContext, offering_id: str, *, name: str | None,
                            display_text: str | None) -> ServiceOffering:
    _require_root(ctx, "service offerings")
    offering = get_service_offering(ctx, offering_id)
    _rename(offering, name, display_text)
    return offering


def delete_service_offering(ctx: CallContext, offering_id: str) -> None:
    _require_root(ctx, "service offerings")
    offering = get_service_offering(ctx, offering_id)
    if offering.is_system:
        raise ParamError(f"Service offering {offering.name} is a system offering; it cannot "
                         "be deleted")
    offering.removed = utcnow()


def list_service_offerings(
    ctx: CallContext, *, offering_id: str | None = None, name: str | None = None,
    domain_id: str | None = None, vm_id: str | None = None, is_system: bool | None = None,
    system_vm_type: str | None = None, keyword: str | None = None, page: int | None = None,
    pagesize: int | None = None,
) -> Page[ServiceOffering]:
    stmt = _visible(select(ServiceOffering).order_by(ServiceOffering.created,
                                                      ServiceOffering.id),
                    ctx, ServiceOffering, offering_id=offering_id, name=name,
                    domain_id=domain_id, keyword=keyword)
    if is_system and not ctx.caller.is_root_admin:
        raise PermissionDenied("Only a root admin can list system service offerings")
    stmt = stmt.where(ServiceOffering.is_system.is_(bool(is_system)))
    if system_vm_type is not None:
        stmt = stmt.where(ServiceOffering.system_vm_type == system_vm_type)
    if vm_id is not None:
        # The offerings the VM may be changed to: any other of the same storage type.
        vm = tenancy.get_owned(ctx, VirtualMachine, vm_id, what="virtual machine")
        current = ctx.session.get(ServiceOffering, vm.service_offering_id)
        stmt = stmt.where(ServiceOffering.id != vm.service_offering_id)
        if current is not None:
            stmt = stmt.where(ServiceOffering.storage_type == current.storage_type)
    return paginate(ctx.session, stmt, page, pagesize)


# -- disk offerings ----------------------------------------------------------------

def create_disk_offering(
    ctx: CallContext, *, name: str, display_text: str, disk_size_gb: int | None,
    customized: bool = False, tags: str | None = None, storage_type: str | None = None,
    domain_id: str | None = None,
) -> DiskOffering:
    _require_root(ctx, "disk offerings")
    if customized:
        if disk_size_gb:
            raise ParamError("A customized disk offering takes no disksize: the user chooses it")
        size = 0
    else:
        if disk_size_gb is None or disk_size_gb < 1:
            raise ParamError("disksize (GB, at least 1) is required unless customized is true")
        maximum = int(configuration.get(ctx.session, "max.volume.size.gb"))
        if disk_size_gb > maximum:
            raise ParamError(f"Disk size {disk_size_gb} GB exceeds max.volume.size.gb "
                             f"{maximum}")
        size = disk_size_gb * GIB
    offering = DiskOffering(
        name=_text(name, "name"), display_text=_text(display_text, "displaytext"),
        disk_size=size, is_customized=customized, tags=tags or None,
        storage_type=_storage_type(storage_type), domain_id=_domain_id(ctx, domain_id))
    ctx.session.add(offering)
    ctx.session.flush()
    return offering


def get_disk_offering(ctx: CallContext, offering_id: str) -> DiskOffering:
    return _get(ctx, DiskOffering, offering_id, "disk offering")


def update_disk_offering(ctx: CallContext, offering_id: str, *, name: str | None,
                         display_text: str | None) -> DiskOffering:
    _require_root(ctx, "disk offerings")
    offering = get_disk_offering(ctx, offering_id)
    _rename(offering, name, display_text)
    return offering


def delete_disk_offering(ctx: CallContext, offering_id: str) -> None:
    _require_root(ctx, "disk offerings")
    get_disk_offering(ctx, offering_id).removed = utcnow()


def list_disk_offerings(
    ctx: CallContext, *, offering_id: str | None = None, name: str | None = None,
    domain_id: str | None = None, keyword: str | None = None, page: int | None = None,
    pagesize: int | None = None,
) -> Page[DiskOffering]:
    stmt = _visible(select(DiskOffering).order_by(DiskOffering.created, DiskOffering.id),
                    ctx, DiskOffering, offering_id=offering_id, name=name,
                    domain_id=domain_id, keyword=keyword)
    return paginate(ctx.session, stmt, page, pagesize)


# -- network offerings -------------------------------------------------------------

def get_network_offering(ctx: CallContext, offering_id: str) -> NetworkOffering:
    offering = ctx.session.get(NetworkOffering, offering_id)
    if offering is None or offering.removed is not None:
        raise ParamError(f"Unable to find network offering by id {offering_id}")
    return offering


def update_network_offering(ctx: CallContext, offering_id: str, *, name: str | None,
                            display_text: str | None,
                            availability: str | None) -> NetworkOffering:
    """Rename, or set the availability of a virtual network offering (seed §6.7.2)."""
    _require_root(ctx, "network offerings")
    offering = get_network_offering(ctx, offering_id)
    if offering.is_system:
        raise ParamError(f"Network offering {offering.name} is a system offering; it cannot "
                         "be changed")
    if availability is not None:
        choice = {a.lower(): a for a in AVAILABILITIES}.get(availability.lower())
        if choice is None:
            raise ParamError(f"Invalid availability {availability!r}: expected "
                             f"{', '.join(AVAILABILITIES)}")
        if offering.guest_ip_type != "Virtual":
            raise ParamError(f"Availability can only be set on virtual network offerings, "
                             f"not on {offering.name}")
        offering.availability = choice
    _rename(offering, name, display_text)
    return offering


def list_network_offerings(
    ctx: CallContext, *, offering_id: str | None = None, name: str | None = None,
    display_text: str | None = None, traffic_type: str | None = None,
    guest_ip_type: str | None = None, availability: str | None = None,
    is_default: bool | None = None, specify_vlan: bool | None = None,
    is_system: bool | None = None, keyword: str | None = None, page: int | None = None,
    pagesize: int | None = None,
) -> Page[NetworkOffering]:
    stmt = select(NetworkOffering).where(NetworkOffering.removed.is_(None)).order_by(
        NetworkOffering.created, NetworkOffering.name)
    if is_system and not ctx.caller.is_root_admin:
        raise PermissionDenied("Only a root admin can list system network offerings")
    stmt = stmt.where(NetworkOffering.is_system.is_(bool(is_system)))
    for column, value in ((NetworkOffering.id, offering_id), (NetworkOffering.name, name),
                          (NetworkOffering.display_text, display_text)):
        if value is not None:
            stmt = stmt.where(column == value)
    for column, value in ((NetworkOffering.traffic_type, traffic_type),
                          (NetworkOffering.guest_ip_type, guest_ip_type),
                          (NetworkOffering.availability, availability)):
        if value is not None:
            stmt = stmt.where(column.ilike(value))
    if is_default is not None:
        stmt = stmt.where(NetworkOffering.is_default.is_(is_default))
    if specify_vlan is not None:
        stmt = stmt.where(NetworkOffering.specify_vlan.is_(specify_vlan))
    stmt = keyword_filter(stmt, keyword, NetworkOffering.name, NetworkOffering.display_text)
    return paginate(ctx.session, stmt, page, pagesize)


def ensure_defaults(session: Session) -> int:
    """Insert ACS 2.2's default guest network offerings when missing (`cirrus init`)."""
    defaults = (
        NetworkOffering(name=DEFAULT_VIRTUAL, display_text="Virtual Vlan",
                        traffic_type="Guest", guest_ip_type="Virtual", availability="Required",
                        is_default=True, specify_vlan=False,
                        services=json.dumps(["Dhcp", "Dns", "UserData", "Gateway", "Firewall",
                                             "SourceNat", "StaticNat", "PortForwarding", "Lb",
                                             "Vpn"])),
        NetworkOffering(name=DEFAULT_DIRECT, display_text="Direct", traffic_type="Guest",
                        guest_ip_type="Direct", availability="Optional", is_default=True,
                        specify_vlan=True,
                        services=json.dumps(["Dhcp", "Dns", "UserData"])),
    )
    present = set(session.scalars(select(NetworkOffering.name)))
    added = 0
    for offering in defaults:
        if offering.name not in present:
            session.add(offering)
            added += 1
    session.flush()
    return added
