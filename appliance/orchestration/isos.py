"""A running VM's CD-ROM drive on its host: insert an ISO from secondary storage, eject it.

A stopped VM needs no host call: its drive is described by its spec at the next start.
No transaction stays open while the driver works (checkpoint first).
"""

from __future__ import annotations

from appliance.drivers.hypervisor import driver_for
from appliance.drivers.hypervisor.base import TemplateSpec
from appliance.errors import ResourceUnavailable
from appliance.models import Host, Template, TemplateZone, VirtualMachine
from appliance.orchestration.vm import host_access
from appliance.services import templates
from appliance.services.context import CallContext


def _host(ctx: CallContext, vm: VirtualMachine) -> Host:
    host = ctx.session.get(Host, vm.host_id) if vm.host_id else None
    if host is None:
        raise ResourceUnavailable(f"Virtual machine {vm.id} is running on no known host")
    return host


def insert(ctx: CallContext, vm: VirtualMachine, iso: Template, copy: TemplateZone) -> None:
    """Put `iso` (its copy in the VM's zone) into the running VM's drive (534 while the
    secondary storage holding it is out)."""
    spec = TemplateSpec(template_id=iso.id, path=templates.readable_path(ctx, copy),
                        format=iso.format, size=max(copy.size, copy.physical_size))
    host = _host(ctx, vm)
    driver, access = driver_for(str(host.hypervisor), ctx.database), host_access(ctx, host)
    name = vm.instance_name
    ctx.checkpoint()
    ctx.log.info("inserting ISO %s into %s on host %s", iso.name, name, host.name)
    driver.insert_iso(access, name, spec)


def eject(ctx: CallContext, vm: VirtualMachine) -> None:
    """Empty the running VM's drive."""
    host = _host(ctx, vm)
    driver, access = driver_for(str(host.hypervisor), ctx.database), host_access(ctx, host)
    name = vm.instance_name
    ctx.checkpoint()
    ctx.log.info("ejecting the ISO of %s on host %s", name, host.name)
    driver.eject_iso(access, name)
