"""Load balancing rules on public IPs (seed §6.3): a public port of an address balanced
over VMs of the address's network with roundrobin, leastconn or source hashing.

The public side lives on a FirewallRule of purpose LoadBalancing (so the port conflict
checks of `rules` see it); name, algorithm and private port on its LoadBalancerRule row;
members in LoadBalancerVm. Like every rule change, each one locks the address's row and
records the change (`changes.network_changed`); state stays Add until a router applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, select

from appliance.errors import ParamError
from appliance.models import FirewallRule, Nic, PublicIpAddress, RulePurpose, VirtualMachine
from appliance.models.compute import VmState
from appliance.models.network import LbAlgorithm, LoadBalancerRule, LoadBalancerVm
from appliance.services import tenancy
from appliance.services.context import CallContext
from appliance.services.network import changes, public_ips, rules
from appliance.services.paging import Page, keyword_filter, paginate

WHAT = "load balancer rule"


def algorithm(value: str) -> LbAlgorithm:
    try:
        return LbAlgorithm(value.strip().lower())
    except ValueError:
        names = ", ".join(a.value for a in LbAlgorithm)
        raise ParamError(f"Invalid algorithm {value!r}: expected one of {names}") from None


@dataclass(frozen=True)
class LbRequest:
    ip_address_id: str
    name: str
    algorithm: str
    public_port: int
    private_port: int
    description: str | None = None
    protocol: str = "tcp"
    cidrs: list[str] | None = None
    open_firewall: bool = True


def create(ctx: CallContext, req: LbRequest) -> FirewallRule:
    """A load balancing rule; 537 when its public port overlaps another rule's."""
    chosen = algorithm(req.algorithm)
    protocol = req.protocol.strip().lower()
    if protocol not in rules.PORT_PROTOCOLS:
        raise ParamError(f"Invalid protocol {req.protocol!r}: expected tcp or udp")
    public, _ = rules.port_range(req.public_port, None, "public")
    private, _ = rules.port_range(req.private_port, None, "private")
    cidrs = rules.cidr_list(req.cidrs)
    ip = public_ips.lock_ip(ctx, req.ip_address_id)
    rules.check_port_conflict(ctx, ip, protocol, public, public)
    rule = FirewallRule(purpose=RulePurpose.LOAD_BALANCING, ip_address_id=ip.id,
                        protocol=protocol, start_port=public, end_port=public,
                        private_start_port=private, private_end_port=private,
                        source_cidrs=cidrs, network_id=ip.network_id,
                        account_id=ip.account_id, domain_id=ip.domain_id)
    ctx.session.add(rule)
    ctx.session.flush()
    ctx.session.add(LoadBalancerRule(id=rule.id, name=req.name, description=req.description,
                                     algorithm=chosen, private_port=private))
    if req.open_firewall:
        rules.open_firewall(ctx, ip, protocol, public, public, cidrs, rule)
    ctx.session.flush()
    changes.network_changed(ctx, ip.network_id, f"load balancer rule {rule.id} added")
    return rule


def get(ctx: CallContext, rule_id: str) -> FirewallRule:
    return rules.get_rule(ctx, rule_id, RulePurpose.LOAD_BALANCING, WHAT)


def details(ctx: CallContext, rule: FirewallRule) -> LoadBalancerRule:
    found = ctx.session.get(LoadBalancerRule, rule.id)
    assert found is not None, f"load balancer rule {rule.id} has no details"
    return found


def update(ctx: CallContext, rule_id: str, *, name: str | None, description: str | None,
           algorithm_name: str | None) -> FirewallRule:
    rule = get(ctx, rule_id)
    rules.ip_of(ctx, rule, lock=True)
    lb = details(ctx, rule)
    if name is not None:
        lb.name = name
    if description is not None:
        lb.description = description
    if algorithm_name is not None:
        lb.algorithm = algorithm(algorithm_name)
    ctx.session.flush()
    changes.network_changed(ctx, rule.network_id, f"load balancer rule {rule.id} updated")
    return rule


def delete_rule(ctx: CallContext, rule_id: str) -> str | None:
    return rules.delete_rule(ctx, rule_id, RulePurpose.LOAD_BALANCING, WHAT)


def members(ctx: CallContext, rule_id: str) -> set[str]:
    return set(ctx.session.scalars(select(LoadBalancerVm.vm_id).where(
        LoadBalancerVm.rule_id == rule_id)))


def check_vms(ctx: CallContext, rule_id: str, vm_ids: list[str], *, assign: bool) -> None:
    """431/531 before a job is queued: the rule and the VMs must be the caller's, VMs on
    the rule's network, and (not) assigned yet."""
    if not vm_ids:
        raise ParamError("virtualmachineids must name at least one virtual machine")
    rule = get(ctx, rule_id)
    ip = rules.ip_of(ctx, rule, lock=False)
    current = members(ctx, rule.id)
    for vm_id in vm_ids:
        vm, _ = rules.guest_nic(ctx, vm_id, ip)
        if assign and vm.id in current:
            raise ParamError(f"Virtual machine {vm.name} is already assigned to load "
                             f"balancer rule {rule.id}")
        if not assign and vm.id not in current:
            raise ParamError(f"Virtual machine {vm.name} is not assigned to load balancer "
                             f"rule {rule.id}")


def assign(ctx: CallContext, rule_id: str, vm_ids: list[str]) -> str | None:
    rule = get(ctx, rule_id)
    ip = rules.ip_of(ctx, rule, lock=True)
    current = members(ctx, rule.id)
    for vm_id in dict.fromkeys(vm_ids):
        vm, _ = rules.guest_nic(ctx, vm_id, ip)
        if vm.id not in current:
            ctx.session.add(LoadBalancerVm(rule_id=rule.id, vm_id=vm.id))
    ctx.session.flush()
    changes.network_changed(ctx, rule.network_id, f"VMs assigned to load balancer {rule.id}")
    return rule.network_id


def remove(ctx: CallContext, rule_id: str, vm_ids: list[str]) -> str | None:
    rule = get(ctx, rule_id)
    rules.ip_of(ctx, rule, lock=True)
    ctx.session.execute(delete(LoadBalancerVm).where(LoadBalancerVm.rule_id == rule.id,
                                                     LoadBalancerVm.vm_id.in_(vm_ids)))
    changes.network_changed(ctx, rule.network_id,
                            f"VMs removed from load balancer {rule.id}")
    return rule.network_id


@dataclass(frozen=True)
class LbFilter:
    id: str | None = None
    name: str | None = None
    public_ip_id: str | None = None
    vm_id: str | None = None
    zone_id: str | None = None
    network_id: str | None = None
    keyword: str | None = None


def list_rules(ctx: CallContext, flt: LbFilter, *, owner: dict[str, object],
               page: int | None, pagesize: int | None) -> Page[FirewallRule]:
    stmt: Select[Any] = (
        select(FirewallRule).join(LoadBalancerRule, LoadBalancerRule.id == FirewallRule.id)
        .where(FirewallRule.purpose == RulePurpose.LOAD_BALANCING))
    stmt = tenancy.scope(stmt, ctx, account_col=FirewallRule.account_id,
                         domain_col=FirewallRule.domain_id, **owner)  # type: ignore[arg-type]
    for column, value in ((FirewallRule.id, flt.id), (LoadBalancerRule.name, flt.name),
                          (FirewallRule.ip_address_id, flt.public_ip_id),
                          (FirewallRule.network_id, flt.network_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if flt.vm_id is not None:
        stmt = stmt.where(FirewallRule.id.in_(select(LoadBalancerVm.rule_id).where(
            LoadBalancerVm.vm_id == flt.vm_id)))
    if flt.zone_id is not None:
        stmt = stmt.where(FirewallRule.ip_address_id.in_(select(PublicIpAddress.id).where(
            PublicIpAddress.zone_id == flt.zone_id)))
    stmt = keyword_filter(stmt, flt.keyword, LoadBalancerRule.name)
    return paginate(ctx.session, stmt.order_by(FirewallRule.created, FirewallRule.id), page,
                    pagesize)


def instances(ctx: CallContext, rule_id: str, *, applied: bool, page: int | None,
              pagesize: int | None) -> Page[VirtualMachine]:
    """The rule's member VMs, or with applied=false the VMs that could still join it
    (the owner's live VMs on the rule's network)."""
    rule = get(ctx, rule_id)
    assigned = select(LoadBalancerVm.vm_id).where(LoadBalancerVm.rule_id == rule.id)
    stmt = select(VirtualMachine)
    if applied:
        stmt = stmt.where(VirtualMachine.id.in_(assigned))
    else:
        on_network = select(Nic.vm_id).where(Nic.network_id == rule.network_id)
        stmt = stmt.where(VirtualMachine.id.in_(on_network), VirtualMachine.id.not_in(assigned),
                          VirtualMachine.account_id == rule.account_id,
                          VirtualMachine.removed.is_(None),
                          VirtualMachine.state.not_in((VmState.DESTROYED, VmState.EXPUNGING,
                                                       VmState.ERROR)))
    return paginate(ctx.session, stmt.order_by(VirtualMachine.created, VirtualMachine.id),
                    page, pagesize)
