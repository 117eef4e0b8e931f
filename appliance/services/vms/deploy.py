"""deployVirtualMachine's synchronous half: check everything, then write the VM and its
volumes in the caller's transaction. Nothing is written when a check fails; placement and
the start happen in the job (appliance/orchestration/vm.py)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from sqlalchemy import select

from appliance.errors import ParamError, PermissionDenied
from appliance.models import (
    Account,
    DiskOffering,
    ServiceOffering,
    Template,
    VirtualMachine,
    Volume,
    VolumeType,
    Zone,
)
from appliance.models.base import utcnow
from appliance.models.compute import VmState
from appliance.models.infra import AllocationState
from appliance.services import configuration, limits, sequences, tenancy
from appliance.services.context import CallContext
from appliance.services.limits import ResourceType
from appliance.services.network import guest, networks, security_groups
from appliance.services.templates import usable_for_deploy
from appliance.services.vms import passwords

GIB = 1024**3
# RFC 1123 host names, as CloudStack checks VM names.
HOSTNAME = re.compile(r"^(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class DeployRequest:
    zone_id: str
    service_offering_id: str
    template_id: str
    disk_offering_id: str | None = None
    size_gb: int | None = None
    name: str | None = None
    display_name: str | None = None
    group: str | None = None
    user_data: str | None = None
    hypervisor: str | None = None
    host_id: str | None = None
    account: str | None = None
    domain_id: str | None = None
    # The VM's networks, the default NIC's first; None: the owner's default network.
    network_ids: tuple[str, ...] | None = None
    # Security groups (zones with security groups enabled); none: the owner's default.
    security_group_ids: tuple[str, ...] = ()
    security_group_names: tuple[str, ...] = ()


def zone_for(ctx: CallContext, zone_id: str, owner: Account) -> Zone:
    """A zone `owner` may deploy into (431 unknown, 531 dedicated elsewhere or disabled)."""
    zone = ctx.session.get(Zone, zone_id)
    if zone is None or zone.removed is not None:
        raise ParamError(f"Unable to find zone by id {zone_id}")
    tenancy.check_zone_use(ctx, zone, owner)
    if zone.allocation_state != AllocationState.ENABLED and not ctx.caller.is_root_admin:
        raise PermissionDenied(f"Zone {zone.name} is disabled; cannot deploy in it")
    return zone


def service_offering_for(ctx: CallContext, offering_id: str) -> ServiceOffering:
    offering = ctx.session.get(ServiceOffering, offering_id)
    if offering is None or offering.removed is not None or offering.is_system:
        raise ParamError(f"Unable to find service offering by id {offering_id}")
    tenancy.check_catalog_use(ctx, offering.domain_id, what=f"service offering {offering_id}")
    return offering


def disk_offering_for(ctx: CallContext, offering_id: str, size_gb: int | None) -> tuple[
        DiskOffering, int]:
    """The disk offering and the size it gives, in bytes."""
    offering = ctx.session.get(DiskOffering, offering_id)
    if offering is None or offering.removed is not None:
        raise ParamError(f"Unable to find disk offering by id {offering_id}")
    tenancy.check_catalog_use(ctx, offering.domain_id, what=f"disk offering {offering_id}")
    if offering.is_customized:
        if not size_gb or size_gb <= 0:
            raise ParamError(f"Disk offering {offering.name} is customized: size is required")
        maximum = int(configuration.get(ctx.session, "max.volume.size.gb"))
        if size_gb > maximum:
            raise ParamError(f"Volume size {size_gb} GB exceeds max.volume.size.gb {maximum}")
        return offering, size_gb * GIB
    if size_gb:
        raise ParamError(f"Disk offering {offering.name} has a fixed size; omit size")
    return offering, offering.disk_size


def check_user_data(ctx: CallContext, value: str | None) -> str | None:
    if value is None:
        return None
    maximum = int(configuration.get(ctx.session, "vm.userdata.max.length"))
    if len(value) > maximum:
        raise ParamError(f"User data is too long: {len(value)} > {maximum} characters")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ParamError("User data must be base64-encoded") from None
    return value


def _owner(ctx: CallContext, account: str | None, domain_id: str | None) -> Account:
    if account is None:
        if domain_id is not None:
            raise ParamError("domainid must be used together with account")
        return ctx.caller.account
    return tenancy.find_account(ctx, account, domain_id)


def _check_name(ctx: CallContext, owner: Account, zone: Zone, name: str) -> None:
    if not HOSTNAME.match(name) or name[0].isdigit():
        raise ParamError(
            f"Invalid name {name}: a VM name is 1-63 letters, digits and hyphens, starting "
            "with a letter and not ending with a hyphen")
    clash = ctx.session.scalar(select(VirtualMachine.id).where(
        VirtualMachine.account_id == owner.id, VirtualMachine.zone_id == zone.id,
        VirtualMachine.name == name, VirtualMachine.removed.is_(None)))
    if clash:
        raise ParamError(f"A virtual machine named {name} already exists in zone {zone.name}")


def create(ctx: CallContext, request: DeployRequest) -> VirtualMachine:
    """Validate a deployment and record the VM (state Created) with its volumes."""
    session = ctx.session
    owner = _owner(ctx, request.account, request.domain_id)
    zone = zone_for(ctx, request.zone_id, owner)
    groups = security_groups.groups_for_deploy(ctx, owner, zone,
                                               list(request.security_group_ids),
                                               list(request.security_group_names))
    offering = service_offering_for(ctx, request.service_offering_id)
    template, copy = usable_for_deploy(ctx, request.template_id, zone.id)
    if request.hypervisor and template.hypervisor and not template.is_iso and \
            request.hypervisor.lower() != template.hypervisor.lower():
        raise ParamError(f"Template {template.name} is for {template.hypervisor}, "
                         f"not {request.hypervisor}")
    if request.host_id is not None and not ctx.caller.is_root_admin:
        raise PermissionDenied("Only root admins may choose the host of a VM")

    data_offering: DiskOffering | None = None
    data_size = 0
    if template.is_iso:
        # A blank VM booting from an ISO: the disk offering sizes its root disk.
        if not template.bootable:
            raise ParamError(f"ISO {template.name} is not bootable")
        if request.disk_offering_id is None:
            raise ParamError("A disk offering is required to deploy from an ISO")
        root_offering, root_size = disk_offering_for(ctx, request.disk_offering_id,
                                                     request.size_gb)
    else:
        root_offering, root_size = None, max(copy.size, copy.physical_size)
        if request.disk_offering_id is not None:
            data_offering, data_size = disk_offering_for(ctx, request.disk_offering_id,
                                                         request.size_gb)
        elif request.size_gb:
            raise ParamError("size requires a customized disk offering")

    number = sequences.next_value(session, "vm")
    name = request.name or f"VM-{number}"
    _check_name(ctx, owner, zone, name)
    user_data = check_user_data(ctx, request.user_data)

    suffix = str(configuration.get(session, "instance.name")) or "VM"
    limits.reserve(session, owner, ResourceType.USER_VM)
    limits.reserve(session, owner, ResourceType.VOLUME, 2 if data_offering else 1)
    vm = VirtualMachine(
        number=number, instance_name=f"i-{owner.number}-{number}-{suffix}", name=name,
        display_name=request.display_name or name, group_name=request.group,
        account_id=owner.id, domain_id=owner.domain_id, zone_id=zone.id,
        template_id=None if template.is_iso else template.id,
        iso_id=template.id if template.is_iso else None,
        service_offering_id=offering.id, guest_os_id=template.os_type_id,
        hypervisor=request.hypervisor or template.hypervisor, state=VmState.CREATED,
        ha_enabled=offering.offer_ha, user_data=user_data,
        password=passwords.generate() if template.password_enabled else None,
        details=_details(request.host_id),
    )
    session.add(vm)
    session.flush()
    chosen = networks.networks_for_deploy(
        ctx, owner, zone, list(request.network_ids) if request.network_ids else None)
    for device_id, network in enumerate(chosen):
        guest.add_nic(ctx, vm.id, network, device_id=device_id, is_default=device_id == 0)
    security_groups.add_members(ctx, vm.id, groups)
    session.add(Volume(
        name=f"ROOT-{number}", account_id=owner.id, domain_id=owner.domain_id,
        zone_id=zone.id, vm_id=vm.id, volume_type=VolumeType.ROOT, device_id=0,
        disk_offering_id=root_offering.id if root_offering else None,
        template_id=None if template.is_iso else template.id, size=root_size,
        hypervisor=vm.hypervisor, attached=utcnow()))
    if data_offering is not None:
        session.add(Volume(
            name=f"DATA-{number}", account_id=owner.id, domain_id=owner.domain_id,
            zone_id=zone.id, vm_id=vm.id, volume_type=VolumeType.DATADISK, device_id=1,
            disk_offering_id=data_offering.id, size=data_size, hypervisor=vm.hypervisor,
            attached=utcnow()))
    session.flush()
    return vm


def _details(host_id: str | None) -> str | None:
    return None if host_id is None else json.dumps({"deployhostid": host_id})


def template_of(ctx: CallContext, vm: VirtualMachine) -> Template | None:
    tid = vm.template_id or vm.iso_id
    return ctx.session.get(Template, tid) if tid else None
