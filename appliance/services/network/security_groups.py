"""Security groups (seed §1.4.1): an account's named groups, their ingress and egress rules,
and the VMs that are members, in zones with security groups enabled.

Semantics are CloudStack's: ingress is denied unless a rule of one of the VM's groups
allows it; egress is allowed while none of the VM's groups has an egress rule, otherwise
only what those rules allow. A rule names a CIDR or another group (usersecuritygrouplist:
account + group name), which stands for that group's members' addresses. Each account has
a group `default`, made on first need (a deployment in such a zone, or when its owner
lists groups). Rule changes of one group serialize on the group's row (`_lock`), so the
duplicate check (537) holds whichever server runs them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from appliance.errors import NetworkRuleConflict, ParamError, ResourceInUse
from appliance.models import (
    Account,
    SecurityGroup,
    SecurityGroupRule,
    SecurityGroupVm,
    VirtualMachine,
    Zone,
)
from appliance.models.security_group import DEFAULT_GROUP, SecurityRuleType
from appliance.services import tenancy
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate

PROTOCOLS = ("tcp", "udp", "icmp", "all")
DEFAULT_DESCRIPTION = "Default Security Group"
ANY_CIDR = "0.0.0.0/0"
INGRESS, EGRESS = SecurityRuleType.INGRESS, SecurityRuleType.EGRESS


# Groups ------------------------------------------------------------------------------------

def _by_name(ctx: CallContext, account_id: str, name: str) -> SecurityGroup | None:
    return ctx.session.scalar(select(SecurityGroup).where(
        SecurityGroup.account_id == account_id, SecurityGroup.name == name))


def ensure_default(ctx: CallContext, owner: Account) -> SecurityGroup:
    """The owner's `default` group, made when missing (a concurrent maker wins on the
    unique (account, name) constraint; this one then reads the winner's row)."""
    found = _by_name(ctx, owner.id, DEFAULT_GROUP)
    if found is not None:
        return found
    try:
        with ctx.session.begin_nested():
            group = SecurityGroup(name=DEFAULT_GROUP, description=DEFAULT_DESCRIPTION,
                                  account_id=owner.id, domain_id=owner.domain_id)
            ctx.session.add(group)
    except IntegrityError:
        again = _by_name(ctx, owner.id, DEFAULT_GROUP)
        if again is None:
            raise
        return again
    ctx.log.info("security group default made for account %s", owner.name)
    return group


def create_group(ctx: CallContext, name: str, description: str | None, *,
                 account: str | None, domain_id: str | None) -> SecurityGroup:
    owner = tenancy.requested_owner(ctx, account, domain_id)
    name = name.strip()
    if not name:
        raise ParamError("A security group needs a name")
    if name.lower() == DEFAULT_GROUP:
        raise ParamError(f"The security group name {DEFAULT_GROUP} is reserved")
    if _by_name(ctx, owner.id, name) is not None:
        raise ParamError(f"Unable to create security group, a group with name {name} "
                         f"already exists for account {owner.name}")
    ensure_default(ctx, owner)
    try:
        with ctx.session.begin_nested():
            group = SecurityGroup(name=name, description=description, account_id=owner.id,
                                  domain_id=owner.domain_id)
            ctx.session.add(group)
    except IntegrityError:
        raise ParamError(f"Unable to create security group, a group with name {name} "
                         f"already exists for account {owner.name}") from None
    return group


def get_group(ctx: CallContext, group_id: str) -> SecurityGroup:
    """A group the caller may act on (431 unknown, 531 another tenant's)."""
    return tenancy.get_owned(ctx, SecurityGroup, group_id, what="security group")


def find_group(ctx: CallContext, *, group_id: str | None, name: str | None,
               account: str | None, domain_id: str | None,
               id_param: str = "id", name_param: str = "name") -> SecurityGroup:
    """A group by id, or by name among the owner's (account/domainid, else the caller)."""
    if group_id is not None and name is not None:
        raise ParamError(f"{id_param} and {name_param} parameters are mutually exclusive")
    if group_id is not None:
        return get_group(ctx, group_id)
    if name is None:
        raise ParamError(f"Either {id_param} or {name_param} is required")
    owner = tenancy.requested_owner(ctx, account, domain_id)
    group = _by_name(ctx, owner.id, name)
    if group is None and name == DEFAULT_GROUP:
        group = ensure_default(ctx, owner)
    if group is None:
        raise ParamError(f"Unable to find security group {name} for account {owner.name}")
    return group


def members_in_use(ctx: CallContext, group_id: str) -> int:
    """Member VMs not expunged: a group with any cannot be deleted."""
    return ctx.session.scalar(
        select(func.count()).select_from(SecurityGroupVm)
        .join(VirtualMachine, SecurityGroupVm.vm_id == VirtualMachine.id)
        .where(SecurityGroupVm.security_group_id == group_id,
               VirtualMachine.removed.is_(None))) or 0


def delete_group(ctx: CallContext, *, group_id: str | None, name: str | None,
                 account: str | None, domain_id: str | None) -> None:
    """Delete a group: never `default` (431), never while VMs use it (536). Its rules
    and the rules of other groups naming it go with it."""
    group = find_group(ctx, group_id=group_id, name=name, account=account,
                       domain_id=domain_id)
    if group.name == DEFAULT_GROUP:
        raise ParamError(f"The security group {DEFAULT_GROUP} cannot be deleted")
    _remove(ctx, group)


def _remove(ctx: CallContext, group: SecurityGroup) -> None:
    group = _lock(ctx, group.id)
    if members_in_use(ctx, group.id):
        raise ResourceInUse(f"Cannot delete security group {group.name}: it is in use by "
                            "virtual machines")
    session = ctx.session
    session.execute(delete(SecurityGroupVm).where(SecurityGroupVm.security_group_id == group.id))
    session.execute(delete(SecurityGroupRule).where(
        (SecurityGroupRule.security_group_id == group.id)
        | (SecurityGroupRule.allowed_group_id == group.id)))
    session.delete(group)
    session.flush()


def delete_account_groups(ctx: CallContext, account: Account) -> int:
    """deleteAccount, once the account's VMs are expunged: each of its groups goes as
    deleteSecurityGroup removes one, `default` included (536 while a VM still uses one).
    How many went."""
    groups = list(ctx.session.scalars(select(SecurityGroup).where(
        SecurityGroup.account_id == account.id).order_by(SecurityGroup.created)))
    for group in groups:
        _remove(ctx, group)
    return len(groups)


@dataclass(frozen=True)
class GroupFilter:
    id: str | None = None
    name: str | None = None
    vm_id: str | None = None
    keyword: str | None = None


def list_groups(ctx: CallContext, flt: GroupFilter, *, owner: dict[str, object],
                page: int | None, pagesize: int | None) -> Page[SecurityGroup]:
    """Groups the caller may see; the caller's own `default` is made first if missing."""
    if owner.get("account") is None:
        ensure_default(ctx, ctx.caller.account)
    stmt = tenancy.scope(select(SecurityGroup), ctx, account_col=SecurityGroup.account_id,
                         domain_col=SecurityGroup.domain_id, **owner)  # type: ignore[arg-type]
    if flt.id is not None:
        stmt = stmt.where(SecurityGroup.id == flt.id)
    if flt.name is not None:
        stmt = stmt.where(SecurityGroup.name == flt.name)
    if flt.vm_id is not None:
        tenancy.get_owned(ctx, VirtualMachine, flt.vm_id, what="virtual machine")
        stmt = stmt.where(SecurityGroup.id.in_(select(SecurityGroupVm.security_group_id).where(
            SecurityGroupVm.vm_id == flt.vm_id)))
    stmt = keyword_filter(stmt, flt.keyword, SecurityGroup.name)
    return paginate(ctx.session, stmt.order_by(SecurityGroup.created, SecurityGroup.id), page,
                    pagesize)


def rules_of(ctx: CallContext, group_id: str,
             rule_type: SecurityRuleType | None = None) -> list[SecurityGroupRule]:
    stmt = select(SecurityGroupRule).where(SecurityGroupRule.security_group_id == group_id)
    if rule_type is not None:
        stmt = stmt.where(SecurityGroupRule.rule_type == rule_type)
    return list(ctx.session.scalars(stmt.order_by(SecurityGroupRule.created,
                                                  SecurityGroupRule.id)))


def groups_of_vm(ctx: CallContext, vm_id: str) -> list[SecurityGroup]:
    return list(ctx.session.scalars(
        select(SecurityGroup).join(SecurityGroupVm,
                                   SecurityGroupVm.security_group_id == SecurityGroup.id)
        .where(SecurityGroupVm.vm_id == vm_id).order_by(SecurityGroup.name)))


def member_vm_ids(ctx: CallContext, group_id: str) -> list[str]:
    return list(ctx.session.scalars(select(SecurityGroupVm.vm_id).where(
        SecurityGroupVm.security_group_id == group_id).order_by(SecurityGroupVm.vm_id)))


# Rules -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleRequest:
    rule_type: SecurityRuleType
    protocol: str | None = None
    start_port: int | None = None
    end_port: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    cidrs: list[str] | None = None
    # [{"account": name, "group": name}, ...] as the usersecuritygrouplist map gives them.
    user_groups: list[dict[str, Any]] = field(default_factory=list)
    group_id: str | None = None
    group_name: str | None = None
    account: str | None = None
    domain_id: str | None = None


Spec = tuple[str, int | None, int | None, int | None, int | None]


def _spec(req: RuleRequest) -> Spec:
    """(protocol, start, end, icmp type, icmp code), validated as CloudStack does."""
    protocol = (req.protocol or "all").strip().lower()
    if protocol not in PROTOCOLS:
        raise ParamError(f"Invalid protocol {req.protocol!r}: expected one of "
                         f"{', '.join(PROTOCOLS)}")
    if protocol == "icmp":
        if req.start_port is not None or req.end_port is not None:
            raise ParamError("Ports cannot be specified for protocol icmp: use icmptype and "
                             "icmpcode")
        icmp_type = -1 if req.icmp_type is None else req.icmp_type
        icmp_code = -1 if req.icmp_code is None else req.icmp_code
        if not -1 <= icmp_type <= 255 or not -1 <= icmp_code <= 255:
            raise ParamError(f"Invalid ICMP type/code {icmp_type}/{icmp_code}: each is "
                             "-1 (any) or 0-255")
        if icmp_type == -1 and icmp_code != -1:
            raise ParamError("An ICMP code needs an ICMP type")
        return protocol, None, None, icmp_type, icmp_code
    if req.icmp_type is not None or req.icmp_code is not None:
        raise ParamError(f"icmptype and icmpcode are only valid for protocol icmp, not "
                         f"{protocol}")
    if protocol == "all":
        if req.start_port is not None or req.end_port is not None:
            raise ParamError("Ports cannot be specified for protocol all")
        return protocol, None, None, None, None
    if req.start_port is None:
        raise ParamError(f"A start port is required for protocol {protocol}")
    start = req.start_port
    end = start if req.end_port is None else req.end_port
    for port in (start, end):
        if not 0 <= port <= 65535:
            raise ParamError(f"Invalid port {port}: ports are 0-65535")
    if end < start:
        raise ParamError(f"Invalid port range {start}-{end}: the start port is greater than "
                         "the end port")
    return protocol, start, end, None, None


def _cidrs(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        try:
            cidr = str(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ParamError(f"Invalid CIDR {value!r} in cidrlist") from None
        if cidr not in out:
            out.append(cidr)
    return out


def _referenced_groups(ctx: CallContext, group: SecurityGroup,
                       entries: list[dict[str, Any]]) -> list[SecurityGroup]:
    """The groups of usersecuritygrouplist: each an account (of the group's domain) and
    one of its groups, by name."""
    found: list[SecurityGroup] = []
    for entry in entries:
        account_name = str(entry.get("account") or "").strip()
        group_name = str(entry.get("group") or "").strip()
        if not account_name or not group_name:
            raise ParamError("Each usersecuritygrouplist entry needs an account and a group")
        account = ctx.session.scalar(select(Account).where(
            Account.name == account_name, Account.domain_id == group.domain_id,
            Account.removed.is_(None)))
        if account is None:
            raise ParamError(f"Unable to find account {account_name} in the domain of "
                             f"security group {group.name}")
        other = _by_name(ctx, account.id, group_name)
        if other is None and group_name == DEFAULT_GROUP:
            other = ensure_default(ctx, account)
        if other is None:
            raise ParamError(f"Unable to find security group {group_name} of account "
                             f"{account_name}")
        if other.id not in {g.id for g in found}:
            found.append(other)
    return found


def _lock(ctx: CallContext, group_id: str) -> SecurityGroup:
    group = ctx.session.scalar(select(SecurityGroup).where(SecurityGroup.id == group_id)
                               .with_for_update().execution_options(populate_existing=True))
    if group is None:
        raise ParamError(f"Security group {group_id} was deleted meanwhile")
    return group


def _same(rule: SecurityGroupRule, spec: Spec) -> bool:
    protocol, start, end, icmp_type, icmp_code = spec
    return (rule.protocol, rule.start_port, rule.end_port, rule.icmp_type,
            rule.icmp_code) == (protocol, start, end, icmp_type, icmp_code)


def target_group(ctx: CallContext, req: RuleRequest) -> SecurityGroup:
    return find_group(ctx, group_id=req.group_id, name=req.group_name, account=req.account,
                      domain_id=req.domain_id, id_param="securitygroupid",
                      name_param="securitygroupname")


def authorize(ctx: CallContext, req: RuleRequest) -> tuple[SecurityGroup,
                                                          list[SecurityGroupRule]]:
    """Add one rule per CIDR and per named group; 537 when one already exists."""
    spec = _spec(req)
    cidrs = _cidrs(req.cidrs)
    group = target_group(ctx, req)
    others = _referenced_groups(ctx, group, req.user_groups)
    if not cidrs and not others:
        raise ParamError("At least one cidr or at least one security group needs to be "
                         "specified (cidrlist or usersecuritygrouplist)")
    group = _lock(ctx, group.id)
    existing = [rule for rule in rules_of(ctx, group.id, req.rule_type) if _same(rule, spec)]
    for rule in existing:
        if rule.cidr in cidrs or rule.allowed_group_id in {g.id for g in others}:
            source = rule.cidr or next(g.name for g in others if g.id == rule.allowed_group_id)
            raise NetworkRuleConflict(
                f"Security group {group.name} already has {req.rule_type} rule {rule.id} "
                f"for {spec[0]} {_describe(spec)} and {source}")
    protocol, start, end, icmp_type, icmp_code = spec
    made = [SecurityGroupRule(security_group_id=group.id, rule_type=req.rule_type,
                              protocol=protocol, start_port=start, end_port=end,
                              icmp_type=icmp_type, icmp_code=icmp_code, cidr=cidr,
                              allowed_group_id=None) for cidr in cidrs]
    made += [SecurityGroupRule(security_group_id=group.id, rule_type=req.rule_type,
                               protocol=protocol, start_port=start, end_port=end,
                               icmp_type=icmp_type, icmp_code=icmp_code, cidr=None,
                               allowed_group_id=other.id) for other in others]
    ctx.session.add_all(made)
    ctx.session.flush()
    ctx.log.info("security group %s: %d %s rule(s) added", group.name, len(made), req.rule_type)
    return group, made


def _describe(spec: Spec) -> str:
    protocol, start, end, icmp_type, icmp_code = spec
    if protocol == "icmp":
        return f"type {icmp_type} code {icmp_code}"
    if protocol == "all":
        return "all ports"
    return f"ports {start}-{end}"


def authorized_rules(ctx: CallContext, req: RuleRequest) -> tuple[SecurityGroup,
                                                                 list[SecurityGroupRule]]:
    """The rules an authorize request made (for the job's answer, after it applied them)."""
    group = target_group(ctx, req)
    spec = _spec(req)
    cidrs = set(_cidrs(req.cidrs))
    others = {g.id for g in _referenced_groups(ctx, group, req.user_groups)}
    return group, [rule for rule in rules_of(ctx, group.id, req.rule_type)
                   if _same(rule, spec) and (rule.cidr in cidrs
                                             or rule.allowed_group_id in others)]


def get_rule(ctx: CallContext, rule_id: str, rule_type: SecurityRuleType) -> SecurityGroupRule:
    rule = ctx.session.get(SecurityGroupRule, rule_id)
    if rule is None or rule.rule_type != rule_type:
        raise ParamError(f"Unable to find {rule_type} security group rule with id {rule_id}")
    get_group(ctx, rule.security_group_id)
    return rule


def revoke(ctx: CallContext, rule_id: str, rule_type: SecurityRuleType) -> str:
    """Remove a rule; the id of its group (whose members' hosts must re-apply)."""
    rule = get_rule(ctx, rule_id, rule_type)
    group_id = rule.security_group_id
    _lock(ctx, group_id)
    ctx.session.execute(delete(SecurityGroupRule).where(SecurityGroupRule.id == rule_id))
    ctx.session.flush()
    ctx.log.info("security group %s: %s rule %s revoked", group_id, rule_type, rule_id)
    return group_id


# Deployments -------------------------------------------------------------------------------

def groups_for_deploy(ctx: CallContext, owner: Account, zone: Zone,
                      ids: list[str] | None, names: list[str] | None) -> list[SecurityGroup]:
    """The groups of a new VM: those named (ids or names, the owner's own), else the
    owner's default. Only in zones with security groups enabled (431 elsewhere)."""
    if not zone.security_group_enabled:
        if ids or names:
            raise ParamError(f"Zone {zone.name} does not have security groups enabled: "
                             "securitygroupids and securitygroupnames cannot be used")
        return []
    if ids and names:
        raise ParamError("securitygroupids and securitygroupnames parameters are mutually "
                         "exclusive")
    chosen: list[SecurityGroup] = []
    for group_id in ids or []:
        group = ctx.session.get(SecurityGroup, group_id)
        if group is None or group.account_id != owner.id:
            raise ParamError(f"Unable to find security group with id {group_id} of account "
                             f"{owner.name}")
        chosen.append(group)
    for name in names or []:
        group = _by_name(ctx, owner.id, name)
        if group is None and name == DEFAULT_GROUP:
            group = ensure_default(ctx, owner)
        if group is None:
            raise ParamError(f"Unable to find security group {name} of account {owner.name}")
        chosen.append(group)
    if not chosen:
        chosen.append(ensure_default(ctx, owner))
    return list({group.id: group for group in chosen}.values())


def add_members(ctx: CallContext, vm_id: str, groups: list[SecurityGroup]) -> None:
    for group in groups:
        ctx.session.add(SecurityGroupVm(security_group_id=group.id, vm_id=vm_id))
    ctx.session.flush()
