"""Rules on public IPs (seed §5): port forwarding, static NAT and ingress firewall rules.

Every rule change locks its address's row first (`public_ips.lock_ip`), so the conflict
checks (537) of two concurrent creates on one address run one after the other, on any
server. Every change calls `changes.network_changed`. A new rule stays in state `Add`
until a virtual router applies it (a later slice); deleting removes the row.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from sqlalchemy import delete, select

from appliance.errors import NetworkRuleConflict, ParamError, PermissionDenied
from appliance.models import (
    FirewallRule,
    Network,
    Nic,
    PublicIpAddress,
    RulePurpose,
    VirtualMachine,
)
from appliance.models.compute import VmState
from appliance.models.network import LoadBalancerRule, LoadBalancerVm
from appliance.services import tenancy
from appliance.services.context import CallContext
from appliance.services.network import changes, public_ips
from appliance.services.paging import Page, paginate

PORT_PROTOCOLS = ("tcp", "udp")
FIREWALL_PROTOCOLS = ("tcp", "udp", "icmp")
ANY_CIDR = "0.0.0.0/0"
# Rules that take public ports of an address: no two may overlap on one protocol.
PORT_PURPOSES = (RulePurpose.PORT_FORWARDING, RulePurpose.LOAD_BALANCING)
INGRESS, EGRESS = "Ingress", "Egress"


@dataclass(frozen=True)
class RuleFilter:
    purpose: RulePurpose
    id: str | None = None
    ip_address_id: str | None = None
    vm_id: str | None = None
    network_id: str | None = None
    traffic_type: str = INGRESS


def list_rules(ctx: CallContext, flt: RuleFilter, *, owner: dict[str, object],
               page: int | None, pagesize: int | None) -> Page[FirewallRule]:
    stmt = select(FirewallRule).where(FirewallRule.purpose == flt.purpose,
                                      FirewallRule.traffic_type == flt.traffic_type)
    stmt = tenancy.scope(stmt, ctx, account_col=FirewallRule.account_id,
                         domain_col=FirewallRule.domain_id, **owner)  # type: ignore[arg-type]
    for column, value in ((FirewallRule.id, flt.id),
                          (FirewallRule.ip_address_id, flt.ip_address_id),
                          (FirewallRule.vm_id, flt.vm_id),
                          (FirewallRule.network_id, flt.network_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(ctx.session, stmt.order_by(FirewallRule.created, FirewallRule.id), page,
                    pagesize)


def port_range(start: int | None, end: int | None, what: str) -> tuple[int, int]:
    """A validated port range (1-65535, start <= end); end defaults to start."""
    if start is None:
        raise ParamError(f"The {what} start port is required")
    last = start if end is None else end
    for port in (start, last):
        if not 1 <= port <= 65535:
            raise ParamError(f"Invalid {what} port {port}: ports are 1-65535")
    if last < start:
        raise ParamError(f"Invalid {what} port range {start}-{last}: the start port is "
                         "greater than the end port")
    return start, last


def cidr_list(cidrs: list[str] | None) -> str:
    """Validated source CIDRs, comma-joined; everyone when none are given."""
    if not cidrs:
        return ANY_CIDR
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            raise ParamError(f"Invalid CIDR {cidr!r} in cidrlist") from None
    return ",".join(cidr.strip() for cidr in cidrs)


def _protocol(value: str, allowed: tuple[str, ...]) -> str:
    protocol = value.strip().lower()
    if protocol not in allowed:
        raise ParamError(f"Invalid protocol {value!r}: expected one of {', '.join(allowed)}")
    return protocol


def rules_of_ip(ctx: CallContext, ip_id: str,
                purposes: tuple[RulePurpose, ...] | None = None) -> list[FirewallRule]:
    stmt = select(FirewallRule).where(FirewallRule.ip_address_id == ip_id)
    if purposes is not None:
        stmt = stmt.where(FirewallRule.purpose.in_(purposes))
    return list(ctx.session.scalars(stmt))


def check_port_conflict(ctx: CallContext, ip: PublicIpAddress, protocol: str, start: int,
                        end: int) -> None:
    """537 when the public ports overlap a port forwarding or load balancing rule on the
    same address and protocol, or the address has static NAT. Call with the IP locked."""
    for rule in rules_of_ip(ctx, ip.id):
        if rule.purpose == RulePurpose.STATIC_NAT:
            raise NetworkRuleConflict(
                f"IP address {ip.address} has static NAT enabled: it cannot take port "
                "forwarding or load balancing rules")
        if rule.purpose not in PORT_PURPOSES or rule.protocol != protocol:
            continue
        low, high = rule.start_port or 0, rule.end_port or 0
        if start <= high and low <= end:
            raise NetworkRuleConflict(
                f"The range of ports {start}-{end} ({protocol}) conflicts with rule "
                f"{rule.id} ({rule.purpose}, ports {low}-{high}) on IP address {ip.address}")
    from appliance.services.network import vpn

    vpn.check_port_free(ctx, ip, protocol, start, end)


def guest_nic(ctx: CallContext, vm_id: str, ip: PublicIpAddress) -> tuple[VirtualMachine, Nic]:
    """The IP owner's VM and its NIC on the address's network (531 another owner's, 431
    not on that network or gone)."""
    vm = tenancy.get_owned(ctx, VirtualMachine, vm_id, what="virtual machine")
    if vm.removed is not None or vm.state in (VmState.DESTROYED, VmState.EXPUNGING,
                                              VmState.ERROR):
        raise ParamError(f"Virtual machine {vm.name} is {vm.state}: rules need a live VM")
    if vm.account_id != ip.account_id:
        raise PermissionDenied(f"Virtual machine {vm.name} and IP address {ip.address} "
                               "belong to different accounts")
    nic = ctx.session.scalar(select(Nic).where(Nic.vm_id == vm.id,
                                               Nic.network_id == ip.network_id))
    if nic is None or nic.ip_address is None:
        raise ParamError(f"Virtual machine {vm.name} has no NIC on the network of IP "
                         f"address {ip.address}")
    return vm, nic


def _new_rule(ctx: CallContext, ip: PublicIpAddress, purpose: RulePurpose, protocol: str,
              **values: object) -> FirewallRule:
    rule = FirewallRule(purpose=purpose, ip_address_id=ip.id, protocol=protocol,
                        network_id=ip.network_id, account_id=ip.account_id,
                        domain_id=ip.domain_id, **values)
    ctx.session.add(rule)
    ctx.session.flush()
    return rule


def open_firewall(ctx: CallContext, ip: PublicIpAddress, protocol: str, start: int, end: int,
                  cidrs: str, related: FirewallRule) -> FirewallRule:
    """The ingress firewall rule `openfirewall` makes for a PF or LB rule (as CloudStack
    does); it goes when that rule goes."""
    return _new_rule(ctx, ip, RulePurpose.FIREWALL, protocol, start_port=start,
                     end_port=end, source_cidrs=cidrs, related_rule_id=related.id)


@dataclass(frozen=True)
class PortForwardingRequest:
    ip_address_id: str
    protocol: str
    public_port: int
    private_port: int
    vm_id: str
    public_end_port: int | None = None
    private_end_port: int | None = None
    cidrs: list[str] | None = None
    open_firewall: bool = True


def create_port_forwarding(ctx: CallContext, req: PortForwardingRequest) -> FirewallRule:
    protocol = _protocol(req.protocol, PORT_PROTOCOLS)
    public = port_range(req.public_port, req.public_end_port, "public")
    private = port_range(req.private_port, req.private_end_port, "private")
    if public[1] - public[0] != private[1] - private[0]:
        raise ParamError(f"The public port range {public[0]}-{public[1]} and the private "
                         f"port range {private[0]}-{private[1]} differ in length")
    cidrs = cidr_list(req.cidrs)
    ip = public_ips.lock_ip(ctx, req.ip_address_id)
    _, nic = guest_nic(ctx, req.vm_id, ip)
    check_port_conflict(ctx, ip, protocol, *public)
    rule = _new_rule(ctx, ip, RulePurpose.PORT_FORWARDING, protocol, start_port=public[0],
                     end_port=public[1], vm_id=req.vm_id, private_ip=nic.ip_address,
                     private_start_port=private[0], private_end_port=private[1],
                     source_cidrs=cidrs)
    if req.open_firewall:
        open_firewall(ctx, ip, protocol, public[0], public[1], cidrs, rule)
    changes.network_changed(ctx, ip.network_id, f"port forwarding rule {rule.id} added")
    return rule


def get_rule(ctx: CallContext, rule_id: str, purpose: RulePurpose, what: str,
             traffic_type: str = INGRESS) -> FirewallRule:
    rule = tenancy.get_owned(ctx, FirewallRule, rule_id, what=what)
    if rule.purpose != purpose or rule.traffic_type != traffic_type:
        raise ParamError(f"Unable to find {what} with id {rule_id}")
    return rule


def ip_of(ctx: CallContext, rule: FirewallRule, *, lock: bool) -> PublicIpAddress:
    """The address of a rule on one (every rule but an egress rule), row-locked if asked."""
    if rule.ip_address_id is None:
        raise ParamError(f"Rule {rule.id} is not a rule on a public IP address")
    if lock:
        return public_ips.lock_ip(ctx, rule.ip_address_id)
    return public_ips.get_ip(ctx, rule.ip_address_id)


def lock_network(ctx: CallContext, network_id: str) -> Network:
    """A network's row, locked: egress rule changes of one network serialize here."""
    network = ctx.session.scalar(select(Network).where(Network.id == network_id)
                                 .with_for_update()
                                 .execution_options(populate_existing=True))
    if network is None or network.removed is not None:
        raise ParamError(f"Unable to find network with id {network_id}")
    return network


def delete_rule(ctx: CallContext, rule_id: str, purpose: RulePurpose, what: str,
                traffic_type: str = INGRESS) -> str | None:
    """Remove a rule with the rules made for it; the network whose router must drop it."""
    rule = get_rule(ctx, rule_id, purpose, what, traffic_type)
    if rule.ip_address_id is not None:
        ip_of(ctx, rule, lock=True)
    elif rule.network_id is not None:
        lock_network(ctx, rule.network_id)
    network_id = rule.network_id
    _delete(ctx, [rule])
    changes.network_changed(ctx, network_id, f"{what} {rule_id} deleted")
    return network_id


def _delete(ctx: CallContext, found: list[FirewallRule]) -> None:
    session = ctx.session
    ids = [rule.id for rule in found]
    if not ids:
        return
    related = list(session.scalars(select(FirewallRule).where(
        FirewallRule.related_rule_id.in_(ids), FirewallRule.id.not_in(ids))))
    ids += [rule.id for rule in related]
    session.execute(delete(LoadBalancerVm).where(LoadBalancerVm.rule_id.in_(ids)))
    session.execute(delete(LoadBalancerRule).where(LoadBalancerRule.id.in_(ids)))
    for rule in (*found, *related):
        session.delete(rule)
    session.flush()


def delete_rules_of_ip(ctx: CallContext, ip: PublicIpAddress) -> None:
    """Every rule of an address, for its release (the caller records the change)."""
    _delete(ctx, rules_of_ip(ctx, ip.id))


def check_rule_deletable(ctx: CallContext, rule_id: str, purpose: RulePurpose,
                         what: str, traffic_type: str = INGRESS) -> str:
    return get_rule(ctx, rule_id, purpose, what, traffic_type).id


# Static NAT ------------------------------------------------------------------------------

def static_nat_rule(ctx: CallContext, ip_id: str) -> FirewallRule | None:
    return ctx.session.scalar(select(FirewallRule).where(
        FirewallRule.ip_address_id == ip_id, FirewallRule.purpose == RulePurpose.STATIC_NAT))


def enable_static_nat(ctx: CallContext, ip_id: str, vm_id: str) -> FirewallRule:
    """One-to-one NAT of an address to a VM: not the source NAT address, one VM per
    address and one address per VM, and no port rules on the address (537)."""
    ip = public_ips.lock_ip(ctx, ip_id)
    if ip.is_source_nat:
        raise ParamError(f"IP address {ip.address} is a source NAT address: static NAT "
                         "cannot be enabled on it")
    vm, nic = guest_nic(ctx, vm_id, ip)
    current = static_nat_rule(ctx, ip.id)
    if current is not None:
        raise NetworkRuleConflict(f"IP address {ip.address} already has static NAT to "
                                  f"virtual machine {current.vm_id}")
    if rules_of_ip(ctx, ip.id, PORT_PURPOSES):
        raise NetworkRuleConflict(f"IP address {ip.address} has port forwarding or load "
                                  "balancing rules: static NAT cannot be enabled on it")
    other = ctx.session.scalar(select(FirewallRule).where(
        FirewallRule.vm_id == vm.id, FirewallRule.purpose == RulePurpose.STATIC_NAT))
    if other is not None:
        raise NetworkRuleConflict(f"Virtual machine {vm.name} already has static NAT from "
                                  f"IP address id {other.ip_address_id}")
    rule = _new_rule(ctx, ip, RulePurpose.STATIC_NAT, "all", vm_id=vm.id,
                     private_ip=nic.ip_address, source_cidrs=ANY_CIDR)
    changes.network_changed(ctx, ip.network_id, f"static NAT {ip.address} -> {vm.name}")
    return rule


def check_static_nat_enabled(ctx: CallContext, ip_id: str) -> PublicIpAddress:
    ip = public_ips.get_ip(ctx, ip_id)
    if static_nat_rule(ctx, ip.id) is None:
        raise ParamError(f"Static NAT is not enabled on IP address {ip.address}")
    return ip


def disable_static_nat(ctx: CallContext, ip_id: str) -> str | None:
    """Remove the address's static NAT; the network whose router must drop it."""
    check_static_nat_enabled(ctx, ip_id)
    ip = public_ips.lock_ip(ctx, ip_id)
    rule = static_nat_rule(ctx, ip.id)
    if rule is None:
        return None  # disabled meanwhile
    _delete(ctx, [rule])
    changes.network_changed(ctx, ip.network_id, f"static NAT of {ip.address} disabled")
    return ip.network_id


# Ingress firewall -------------------------------------------------------------------------

@dataclass(frozen=True)
class FirewallRequest:
    ip_address_id: str | None
    protocol: str
    start_port: int | None = None
    end_port: int | None = None
    cidrs: list[str] | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None


FirewallSpec = tuple[str, int | None, int | None, int | None, int | None]


def _firewall_spec(req: FirewallRequest) -> FirewallSpec:
    """(protocol, start, end, icmp type, icmp code) of a firewall rule, validated."""
    protocol = _protocol(req.protocol, FIREWALL_PROTOCOLS)
    start: int | None
    end: int | None
    icmp_type: int | None
    icmp_code: int | None
    if protocol == "icmp":
        if req.start_port is not None or req.end_port is not None:
            raise ParamError("Ports cannot be given for an icmp firewall rule")
        start = end = None
        icmp_type = -1 if req.icmp_type is None else req.icmp_type
        icmp_code = -1 if req.icmp_code is None else req.icmp_code
    else:
        if req.icmp_type is not None or req.icmp_code is not None:
            raise ParamError(f"icmptype and icmpcode apply to icmp rules, not {protocol}")
        start, end = port_range(req.start_port, req.end_port, "firewall")
        icmp_type = icmp_code = None
    return protocol, start, end, icmp_type, icmp_code


def _check_duplicate(existing: list[FirewallRule], spec: FirewallSpec, cidrs: str,
                     where: str) -> None:
    protocol, start, end, icmp_type, icmp_code = spec
    for rule in existing:
        if rule.protocol != protocol or set((rule.source_cidrs or "").split(",")) != set(
                cidrs.split(",")):
            continue
        if protocol == "icmp":
            clash = (rule.icmp_type, rule.icmp_code) == (icmp_type, icmp_code)
        else:
            assert start is not None and end is not None
            clash = start <= (rule.end_port or 0) and (rule.start_port or 0) <= end
        if clash:
            raise NetworkRuleConflict(f"There is already a firewall rule {rule.id} for "
                                      f"{protocol} on {where} that overlaps")


def create_firewall_rule(ctx: CallContext, req: FirewallRequest) -> FirewallRule:
    """Open ingress traffic to an address (closed unless a rule opens it); 537 when an
    identical rule (protocol, overlapping ports, same CIDRs) exists."""
    spec = _firewall_spec(req)
    cidrs = cidr_list(req.cidrs)
    if req.ip_address_id is None:
        raise ParamError("ipaddressid is required")
    ip = public_ips.lock_ip(ctx, req.ip_address_id)
    _check_duplicate(rules_of_ip(ctx, ip.id, (RulePurpose.FIREWALL,)), spec, cidrs,
                     f"IP address {ip.address}")
    protocol, start, end, icmp_type, icmp_code = spec
    rule = _new_rule(ctx, ip, RulePurpose.FIREWALL, protocol, start_port=start, end_port=end,
                     source_cidrs=cidrs, icmp_type=icmp_type, icmp_code=icmp_code)
    changes.network_changed(ctx, ip.network_id, f"firewall rule {rule.id} added")
    return rule


def create_egress_rule(ctx: CallContext, network_id: str, req: FirewallRequest) -> FirewallRule:
    """Egress traffic of an isolated network's VMs (the offering's default policy applies
    where no rule matches); 537 on a duplicate. `cidrs` are the VMs' source CIDRs."""
    spec = _firewall_spec(req)
    cidrs = cidr_list(req.cidrs)
    network = tenancy.get_owned(ctx, Network, network_id, what="network")
    if network.guest_type != "Isolated" or network.account_id is None:
        raise ParamError(f"Network {network.name} is not an isolated network: egress rules "
                         "apply to isolated networks")
    network = lock_network(ctx, network.id)
    existing = list(ctx.session.scalars(select(FirewallRule).where(
        FirewallRule.network_id == network.id, FirewallRule.traffic_type == EGRESS)))
    _check_duplicate(existing, spec, cidrs, f"network {network.name}")
    protocol, start, end, icmp_type, icmp_code = spec
    rule = FirewallRule(purpose=RulePurpose.FIREWALL, traffic_type=EGRESS, ip_address_id=None,
                        protocol=protocol, start_port=start, end_port=end,
                        source_cidrs=cidrs, icmp_type=icmp_type, icmp_code=icmp_code,
                        network_id=network.id, account_id=network.account_id,
                        domain_id=network.domain_id)
    ctx.session.add(rule)
    ctx.session.flush()
    changes.network_changed(ctx, network.id, f"egress firewall rule {rule.id} added")
    return rule


def release_vm(ctx: CallContext, vm_id: str) -> set[str]:
    """At expunge: the VM's port forwarding and static NAT rules (with the firewall rules
    made for them) and its load balancer memberships go; the networks that changed."""
    session = ctx.session
    found = list(session.scalars(select(FirewallRule).where(
        FirewallRule.vm_id == vm_id, FirewallRule.purpose.in_(
            (RulePurpose.PORT_FORWARDING, RulePurpose.STATIC_NAT)))))
    networks = {rule.network_id for rule in found if rule.network_id}
    networks |= {network_id for network_id in session.scalars(
        select(FirewallRule.network_id).join(LoadBalancerVm,
                                             LoadBalancerVm.rule_id == FirewallRule.id)
        .where(LoadBalancerVm.vm_id == vm_id)) if network_id}
    _delete(ctx, found)
    session.execute(delete(LoadBalancerVm).where(LoadBalancerVm.vm_id == vm_id))
    for network_id in sorted(networks):
        changes.network_changed(ctx, network_id, f"rules of VM {vm_id} released")
    return networks
