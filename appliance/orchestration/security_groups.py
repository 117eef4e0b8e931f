"""Security groups on the hosts (seed §1.4.1: enforced by the KVM hosts): each host gets
the complete ruleset of the VMs with security groups running there, rendered from the
database and applied by playbooks/security_groups_apply.yml (roles/security_groups).

A rule naming another group is expanded here into that group's running members'
addresses (/32). When to apply: after a rule of a group is authorized or revoked, on the
hosts running its members (`hosts_of_group`); after a VM started or stopped, on its host
and on the hosts of VMs whose groups name one of its groups (`apply_vm_change`). The
simulator has no hosts to configure: for it nothing runs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from appliance import automation
from appliance.automation import locks
from appliance.models import (
    Host,
    Network,
    Nic,
    SecurityGroupRule,
    SecurityGroupVm,
    VirtualMachine,
)
from appliance.models.security_group import SecurityRuleType
from appliance.orchestration.hosts import ON_HOST, automated
from appliance.services.context import CallContext

PLAYBOOK = "security_groups_apply"


def _running(vm_ids: Any) -> Any:
    return (VirtualMachine.id.in_(vm_ids), VirtualMachine.state.in_(ON_HOST),
            VirtualMachine.removed.is_(None))


def hosts_of_group(ctx: CallContext, group_id: str) -> list[Host]:
    """The hosts where members of the group run."""
    members = select(SecurityGroupVm.vm_id).where(SecurityGroupVm.security_group_id == group_id)
    return list(ctx.session.scalars(
        select(Host).where(Host.id.in_(
            select(VirtualMachine.host_id).where(*_running(members),
                                                 VirtualMachine.host_id.is_not(None))),
            Host.removed.is_(None)).order_by(Host.id)))


def hosts_naming(ctx: CallContext, group_ids: list[str]) -> list[Host]:
    """The hosts of members of groups whose rules name one of `group_ids` (their rules
    list those groups' members' addresses)."""
    if not group_ids:
        return []
    naming = select(SecurityGroupRule.security_group_id).where(
        SecurityGroupRule.allowed_group_id.in_(group_ids))
    members = select(SecurityGroupVm.vm_id).where(SecurityGroupVm.security_group_id.in_(naming))
    return list(ctx.session.scalars(
        select(Host).where(Host.id.in_(
            select(VirtualMachine.host_id).where(*_running(members),
                                                 VirtualMachine.host_id.is_not(None))),
            Host.removed.is_(None)).order_by(Host.id)))


def _member_addresses(ctx: CallContext, group_id: str) -> list[str]:
    members = select(SecurityGroupVm.vm_id).where(SecurityGroupVm.security_group_id == group_id)
    found = ctx.session.scalars(
        select(Nic.ip_address).join(VirtualMachine, Nic.vm_id == VirtualMachine.id)
        .where(*_running(members), Nic.is_default.is_(True), Nic.removed.is_(None),
               Nic.ip_address.is_not(None)))
    return sorted({f"{ip}/32" for ip in found if ip})


def _rule_var(ctx: CallContext, rule: SecurityGroupRule,
              addresses: dict[str, list[str]]) -> dict[str, Any]:
    if rule.allowed_group_id is not None:
        if rule.allowed_group_id not in addresses:
            addresses[rule.allowed_group_id] = _member_addresses(ctx, rule.allowed_group_id)
        cidrs = addresses[rule.allowed_group_id]
    else:
        cidrs = [rule.cidr or "0.0.0.0/0"]
    ports = None if rule.start_port is None else [rule.start_port,
                                                  rule.end_port or rule.start_port]
    return {"protocol": rule.protocol, "ports": ports, "icmp_type": rule.icmp_type,
            "icmp_code": rule.icmp_code, "cidrs": cidrs}


def _sorted_unique(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for rule in rules:
        seen.setdefault(repr(sorted(rule.items())), rule)
    return [seen[key] for key in sorted(seen)]


def vm_var(ctx: CallContext, vm: VirtualMachine,
           addresses: dict[str, list[str]] | None = None) -> dict[str, Any] | None:
    """One entry of `security_group_vms`; None for a VM in no group or without an address."""
    addresses = {} if addresses is None else addresses
    group_ids = list(ctx.session.scalars(select(SecurityGroupVm.security_group_id).where(
        SecurityGroupVm.vm_id == vm.id)))
    if not group_ids:
        return None
    found = ctx.session.execute(
        select(Nic, Network).join(Network, Nic.network_id == Network.id)
        .where(Nic.vm_id == vm.id, Nic.removed.is_(None))
        .order_by(Nic.is_default.desc(), Nic.device_id)).first()
    if found is None or found[0].ip_address is None:
        return None
    nic, network = found
    rules = list(ctx.session.scalars(select(SecurityGroupRule).where(
        SecurityGroupRule.security_group_id.in_(group_ids))
        .order_by(SecurityGroupRule.created, SecurityGroupRule.id)))
    ingress = [_rule_var(ctx, r, addresses) for r in rules
               if r.rule_type == SecurityRuleType.INGRESS]
    egress = [_rule_var(ctx, r, addresses) for r in rules
              if r.rule_type == SecurityRuleType.EGRESS]
    return {"instance_name": vm.instance_name, "mac": nic.mac, "ip": nic.ip_address,
            "bridge": network.bridge, "ingress": _sorted_unique(ingress),
            "egress": _sorted_unique(egress), "egress_default_allow": not egress}


def host_vars(ctx: CallContext, host: Host) -> dict[str, Any]:
    """The playbook's extra vars for `host`: every VM with security groups on it."""
    vms = ctx.session.scalars(select(VirtualMachine).where(
        VirtualMachine.host_id == host.id, VirtualMachine.state.in_(ON_HOST),
        VirtualMachine.removed.is_(None)).order_by(VirtualMachine.instance_name))
    addresses: dict[str, list[str]] = {}
    entries = [vm_var(ctx, vm, addresses) for vm in vms]
    return {"security_group_vms": [entry for entry in entries if entry is not None]}


def lock_key(host_id: str) -> str:
    return f"security_groups:{host_id}"


def apply_host(ctx: CallContext, host: Host, *, check: bool = False) -> None:
    """Bring `host`'s security group ruleset up to date (nothing for simulator hosts).

    Commits the caller's transaction first. The ruleset is read and applied under a lock
    of its own per host, so of two concurrent applies the later reads after the earlier
    one's changes committed and its play runs last: a stale ruleset never wins."""
    if not automated(host):
        return
    with locks.held(ctx, [lock_key(host.id)]):
        extra_vars = host_vars(ctx, host)
        ctx.log.info("security groups: %d VM(s) on host %s",
                     len(extra_vars["security_group_vms"]), host.name)
        automation.run(ctx, PLAYBOOK, hosts=[host.id], extra_vars=extra_vars, check=check)


def apply_hosts(ctx: CallContext, hosts: list[Host]) -> None:
    for host_id in list(dict.fromkeys(host.id for host in hosts)):
        host = ctx.session.get(Host, host_id)
        if host is not None:
            apply_host(ctx, host)


def apply_group(ctx: CallContext, group_id: str) -> None:
    """After a rule of the group changed: the hosts running its members."""
    apply_hosts(ctx, hosts_of_group(ctx, group_id))


def apply_vm_change(ctx: CallContext, vm: VirtualMachine, host: Host | None) -> None:
    """After `vm` started on, or stopped on, `host`: that host, and the hosts whose VMs'
    rules name one of the VM's groups (its address joined or left them)."""
    group_ids = list(ctx.session.scalars(select(SecurityGroupVm.security_group_id).where(
        SecurityGroupVm.vm_id == vm.id)))
    if not group_ids:
        return
    hosts = ([host] if host is not None else []) + hosts_naming(ctx, group_ids)
    apply_hosts(ctx, hosts)
