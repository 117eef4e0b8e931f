"""Wire shape of virtual machines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from appliance.api.responses import ResponseSpec, drop_none, wire_date
from appliance.models import (
    FirewallRule,
    Host,
    Network,
    Nic,
    PublicIpAddress,
    RulePurpose,
    VirtualMachine,
    VmState,
    VmStats,
    Volume,
    VolumeType,
)
from appliance.services import tags
from appliance.services.context import CallContext
from appliance.services.network import guest, security_groups


def _uri(network: Network) -> str | None:
    if network.vnet is None:
        return None
    return f"{'vxlan' if network.isolation == 'vxlan' else 'vlan'}://{network.vnet}"


def _nic(nic: Nic, network: Network) -> dict[str, Any]:
    return drop_none({
        "id": nic.id, "networkid": network.id, "networkname": network.name,
        "ipaddress": nic.ip_address, "netmask": nic.netmask, "gateway": nic.gateway,
        "macaddress": nic.mac, "isdefault": nic.is_default, "traffictype": "Guest",
        "type": network.guest_type, "deviceid": str(nic.device_id),
        "broadcasturi": _uri(network), "isolationuri": _uri(network),
    })


def render_nic(nic: Nic, ctx: CallContext) -> dict[str, Any]:
    """A NIC as listNics answers it: the VM's `nic` entry and the VM's id."""
    network = ctx.session.get(Network, nic.network_id)
    assert network is not None  # a NIC's network is kept while the NIC exists
    return {**_nic(nic, network), "virtualmachineid": nic.vm_id}


def render_vm(vm: VirtualMachine, ctx: CallContext) -> dict[str, Any]:
    offering, template, iso, zone = vm.service_offering, vm.template, vm.iso, vm.zone
    admin = ctx.caller.is_root_admin
    host = ctx.session.get(Host, vm.host_id) if vm.host_id and admin else None
    root = ctx.session.scalar(select(Volume).where(
        Volume.vm_id == vm.id, Volume.volume_type == VolumeType.ROOT,
        Volume.removed.is_(None)))
    os_type = template.os_type if template is not None else (iso.os_type if iso else None)
    stats = ctx.session.get(VmStats, vm.id) if vm.state == VmState.RUNNING else None
    nat_ip = ctx.session.scalar(select(PublicIpAddress).join(
        FirewallRule, FirewallRule.ip_address_id == PublicIpAddress.id).where(
        FirewallRule.vm_id == vm.id, FirewallRule.purpose == RulePurpose.STATIC_NAT).limit(1))
    return drop_none({
        "id": vm.id,
        "name": vm.name,
        "displayname": vm.display_name,
        "account": vm.account.name,
        "domainid": vm.domain_id,
        "domain": vm.domain.name,
        "created": wire_date(vm.created),
        "state": str(vm.state),
        "haenable": vm.ha_enabled,
        "group": vm.group_name,
        "zoneid": vm.zone_id,
        "zonename": zone.name,
        "hostid": host.id if host else None,
        "hostname": host.name if host else None,
        "instancename": vm.instance_name if ctx.caller.is_admin else None,
        "templateid": template.id if template else None,
        "templatename": template.name if template else None,
        "templatedisplaytext": template.display_text if template else None,
        "passwordenabled": bool(template and template.password_enabled),
        "isoid": iso.id if iso else None,
        "isoname": iso.name if iso else None,
        "isodisplaytext": iso.display_text if iso else None,
        "serviceofferingid": offering.id,
        "serviceofferingname": offering.name,
        "cpunumber": offering.cpu_number,
        "cpuspeed": offering.cpu_speed,
        "memory": offering.memory,
        "guestosid": vm.guest_os_id,
        "ostypeid": vm.guest_os_id,
        "osdisplayname": os_type.description if os_type else None,
        "rootdeviceid": root.device_id if root else None,
        "rootdevicetype": str(root.volume_type) if root else None,
        "hypervisor": vm.hypervisor,
        "userdata": vm.user_data if ctx.caller.is_admin else None,
        "cpuused": f"{stats.cpu_used_pct:.2f}%" if stats else None,
        "memorykbs": stats.memory_kib if stats else None,
        "networkkbsread": int(stats.network_read_kbs) if stats else None,
        "networkkbswrite": int(stats.network_write_kbs) if stats else None,
        "diskkbsread": int(stats.disk_read_kbs) if stats else None,
        "diskkbswrite": int(stats.disk_write_kbs) if stats else None,
        "nic": [_nic(nic, network) for nic, network in guest.nics_of(ctx, vm.id)],
        "securitygroup": [drop_none({
            "id": group.id, "name": group.name, "description": group.description,
        }) for group in security_groups.groups_of_vm(ctx, vm.id)],
        "publicipid": nat_ip.id if nat_ip else None,
        "publicip": nat_ip.address if nat_ip else None,
        "tags": tags.tags_for(ctx, "UserVm", [vm.id])[vm.id],
        "affinitygroup": [],
    })


VIRTUAL_MACHINE = ResponseSpec("virtualmachine", (
    ("id", "the ID of the virtual machine"), ("name", "the name of the virtual machine"),
    ("displayname", "user generated name; the name of the VM is returned if not specified"),
    ("account", "the account associated with the virtual machine"),
    ("domainid", "the ID of the domain in which the virtual machine exists"),
    ("domain", "the name of the domain in which the virtual machine exists"),
    ("created", "the date when this virtual machine was created"),
    ("state", "the state of the virtual machine"),
    ("haenable", "true if high-availability is enabled, false otherwise"),
    ("group", "the group name of the virtual machine"),
    ("zoneid", "the ID of the availability zone"), ("zonename", "the name of the zone"),
    ("hostid", "the ID of the host (root admins only)"),
    ("hostname", "the name of the host (root admins only)"),
    ("instancename", "instance name of the VM (admins only)"),
    ("templateid", "the ID of the template"), ("templatename", "the name of the template"),
    ("templatedisplaytext", "an alternate display text of the template"),
    ("passwordenabled", "true if the password reset feature is enabled"),
    ("isoid", "the ID of the ISO attached"), ("isoname", "the name of the ISO attached"),
    ("isodisplaytext", "an alternate display text of the ISO"),
    ("serviceofferingid", "the ID of the service offering"),
    ("serviceofferingname", "the name of the service offering"),
    ("cpunumber", "the number of CPUs"), ("cpuspeed", "the speed of each CPU in MHz"),
    ("memory", "the memory allocated in MB"), ("guestosid", "OS type ID of the VM"),
    ("ostypeid", "OS type ID of the VM"), ("osdisplayname", "OS name of the VM"),
    ("rootdeviceid", "device ID of the root volume"),
    ("rootdevicetype", "device type of the root volume"),
    ("hypervisor", "the hypervisor on which the template runs"),
    ("userdata", "base64 user data (admins only)"),
    ("cpuused", "the amount of the VM's CPU currently used"),
    ("memorykbs", "the memory used by the VM in KiB"),
    ("networkkbsread", "the incoming network traffic on the VM in KiB"),
    ("networkkbswrite", "the outgoing network traffic on the VM in KiB"),
    ("diskkbsread", "the VM's disk read in KiB"), ("diskkbswrite", "the VM's disk write in KiB"),
    ("nic", "the list of NICs"), ("securitygroup", "the list of security groups"),
    ("publicipid", "the ID of the public IP address the VM has through static NAT"),
    ("publicip", "the public IP address the VM has through static NAT"),
    ("tags", "the list of resource tags"), ("affinitygroup", "the list of affinity groups"),
), render_vm)


def _render_with_password(vm: VirtualMachine, ctx: CallContext) -> dict[str, Any]:
    return drop_none({**render_vm(vm, ctx), "password": vm.password})


# What deployVirtualMachine and resetPasswordForVirtualMachine answer: the VM with its
# password (password-enabled templates), which no listing shows.
VIRTUAL_MACHINE_WITH_PASSWORD = ResponseSpec(
    "virtualmachine",
    (*VIRTUAL_MACHINE.fields, ("password", "the password of the virtual machine (only in "
                                           "the answer of the call that set it)")),
    _render_with_password)


NIC = ResponseSpec("nic", (
    ("id", "the ID of the NIC"), ("networkid", "the ID of the network of the NIC"),
    ("networkname", "the name of the network of the NIC"),
    ("ipaddress", "the IP address of the NIC"), ("netmask", "the netmask of the NIC"),
    ("gateway", "the gateway of the NIC"), ("macaddress", "the MAC address of the NIC"),
    ("isdefault", "true if the NIC is the VM's default one"),
    ("traffictype", "the traffic type of the NIC"), ("type", "the type of the NIC's network"),
    ("deviceid", "device number of the NIC in the VM"),
    ("broadcasturi", "the broadcast URI of the NIC's network"),
    ("isolationuri", "the isolation URI of the NIC's network"),
    ("virtualmachineid", "the ID of the VM the NIC belongs to"),
), render_nic)
