"""A virtual router's whole configuration, rendered from the database (the `router` var
of roles/virtual_router; its README is the contract).

Rendered in full every time, never as a delta: applying it is idempotent, and a router
whose state was lost (rebooted, wiped) is rebuilt by the same call.
"""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from appliance.models import (
    FirewallRule,
    Network,
    Nic,
    PublicIpAddress,
    RulePurpose,
    ServiceOffering,
    VirtualMachine,
    Zone,
)
from appliance.models.compute import VmState
from appliance.models.network import LoadBalancerRule, LoadBalancerVm
from appliance.models.router import DomainRouter
from appliance.services.context import CallContext
from appliance.services.network import routers, vpn

# VMs whose DHCP lease, DNS name and metadata the router serves.
SERVED = (VmState.STARTING, VmState.RUNNING, VmState.STOPPING, VmState.STOPPED,
          VmState.MIGRATING)
GUEST_INTERFACE, PUBLIC_INTERFACE = "eth0", "eth2"


@dataclass
class RouterConfig:
    """The `router` var and the ids of the rules it carries (they become Active once the
    router applied it)."""

    router: dict[str, Any]
    rule_ids: list[str] = field(default_factory=list)


def _ports(start: int | None, end: int | None) -> list[int] | None:
    if start is None:
        return None
    return [start, end if end is not None else start]


def _cidrs(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "0.0.0.0/0").split(",") if c.strip()]


def _user_data(vm: VirtualMachine) -> str:
    if not vm.user_data:
        return ""
    try:
        return base64.b64decode(vm.user_data).decode("utf-8", errors="replace")
    except ValueError:
        return ""


def _guest_vms(ctx: CallContext, network: Network) -> list[tuple[Nic, VirtualMachine]]:
    return list(ctx.session.execute(
        select(Nic, VirtualMachine).join(VirtualMachine, Nic.vm_id == VirtualMachine.id)
        .where(Nic.network_id == network.id, Nic.removed.is_(None),
               VirtualMachine.removed.is_(None), VirtualMachine.state.in_(SERVED))
        .order_by(Nic.ip_address)).tuples())


def render(ctx: CallContext, network: Network, router: DomainRouter) -> RouterConfig:
    """The router's configuration at the network's current rules version."""
    session = ctx.session
    zone = session.get(Zone, network.zone_id)
    assert zone is not None
    prefix = ipaddress.ip_network(network.cidr, strict=False).prefixlen
    out = RouterConfig(router={
        "name": router.name,
        "version": network.rules_version,
        "guest": {"interface": GUEST_INTERFACE, "address": router.guest_ip,
                  "gateway": network.gateway,
                  "prefix": prefix, "cidr": str(ipaddress.ip_network(network.cidr,
                                                                      strict=False)),
                  "domain": network.network_domain or zone.network_domain or "cloud.internal",
                  "dns_forwarders": routers.zone_dns(zone)},
        "public": None, "dhcp_hosts": [], "port_forwarding": [], "static_nat": [],
        "firewall_ingress": [], "firewall_egress": [], "load_balancers": [],
        "metadata": [], "passwords": [], "vpn": None,
    })
    conf = out.router
    addresses = routers.public_addresses(ctx, network.id)
    by_id = {ip.id: ip for ip in addresses}
    if routers.has_public_side(network) and addresses:
        conf["public"] = _public(ctx, addresses)
    static_nat_of: dict[str, str] = {}  # vm id -> its static NAT public address
    rules = list(session.scalars(select(FirewallRule).where(
        FirewallRule.network_id == network.id).order_by(FirewallRule.created, FirewallRule.id)))
    for rule in rules:
        ip = by_id.get(rule.ip_address_id or "")
        if rule.ip_address_id is not None and ip is None:
            continue  # its address is gone: nothing to apply
        if _add_rule(session, conf, rule, ip, static_nat_of):
            out.rule_ids.append(rule.id)
    remote_access = vpn.of_network(ctx, network.id)
    vpn_ip = by_id.get(remote_access.ip_address_id) if remote_access else None
    if remote_access is not None and vpn_ip is not None:
        conf["vpn"] = {"public_ip": vpn_ip.address, "psk": remote_access.preshared_key,
                       "server_ip": remote_access.local_ip,
                       "ip_range": remote_access.ip_range,
                       "users": [{"username": u.username, "password": u.password}
                                 for u in vpn.users_of(ctx, remote_access.account_id)]}
    source_nat = conf["public"]["source_nat_ip"] if conf["public"] else None
    for nic, vm in _guest_vms(ctx, network):
        hostname = vm.name
        conf["dhcp_hosts"].append({"mac": nic.mac, "ip": nic.ip_address, "hostname": hostname})
        offering = session.get(ServiceOffering, vm.service_offering_id)
        public_ip = static_nat_of.get(vm.id) or source_nat or ""
        conf["metadata"].append({"ip": nic.ip_address, "data": {
            "user-data": _user_data(vm),
            "service-offering": offering.name if offering else "",
            "availability-zone": zone.name,
            "local-ipv4": nic.ip_address, "local-hostname": hostname,
            "public-ipv4": public_ip, "public-hostname": public_ip,
            "instance-id": vm.instance_name, "vm-id": vm.id}})
        if vm.password:
            conf["passwords"].append({"ip": nic.ip_address, "password": vm.password})
    return out


def _public(ctx: CallContext, addresses: list[PublicIpAddress]) -> dict[str, Any]:
    first = routers.public_range_of(ctx, addresses[0])
    assert first is not None
    prefix = ipaddress.ip_network(f"0.0.0.0/{first.netmask}").prefixlen
    source = next((ip.address for ip in addresses if ip.is_source_nat), None)
    return {"interface": PUBLIC_INTERFACE, "gateway": first.gateway, "prefix": prefix,
            "source_nat_ip": source, "addresses": [ip.address for ip in addresses]}


def _add_rule(session: Any, conf: dict[str, Any], rule: FirewallRule,
              ip: PublicIpAddress | None, static_nat_of: dict[str, str]) -> bool:
    """Put one rule into `conf`; False for a rule the router does not carry."""
    if rule.purpose == RulePurpose.FIREWALL:
        entry = {"protocol": rule.protocol.lower(),
                 "ports": _ports(rule.start_port, rule.end_port),
                 "cidrs": _cidrs(rule.source_cidrs)}
        if rule.traffic_type.lower() == "egress":
            conf["firewall_egress"].append(entry)
        else:
            assert ip is not None
            conf["firewall_ingress"].append({"public_ip": ip.address, **entry,
                                             "icmp_type": rule.icmp_type,
                                             "icmp_code": rule.icmp_code})
        return True
    assert ip is not None
    if rule.purpose == RulePurpose.PORT_FORWARDING:
        conf["port_forwarding"].append({
            "public_ip": ip.address, "protocol": rule.protocol.lower(),
            "public_ports": _ports(rule.start_port, rule.end_port),
            "private_ip": rule.private_ip,
            "private_ports": _ports(rule.private_start_port, rule.private_end_port)})
        return True
    if rule.purpose == RulePurpose.STATIC_NAT:
        conf["static_nat"].append({"public_ip": ip.address, "private_ip": rule.private_ip})
        if rule.vm_id:
            static_nat_of[rule.vm_id] = ip.address
        return True
    if rule.purpose == RulePurpose.LOAD_BALANCING:
        details = session.get(LoadBalancerRule, rule.id)
        if details is None:
            return False
        members = list(session.scalars(
            select(Nic.ip_address).join(LoadBalancerVm, LoadBalancerVm.vm_id == Nic.vm_id)
            .where(LoadBalancerVm.rule_id == rule.id, Nic.network_id == rule.network_id,
                   Nic.removed.is_(None)).order_by(Nic.ip_address)))
        conf["load_balancers"].append({
            "name": details.name, "public_ip": ip.address, "public_port": rule.start_port,
            "private_port": details.private_port, "protocol": rule.protocol.lower(),
            "algorithm": str(details.algorithm), "members": members})
        return True
    return False
