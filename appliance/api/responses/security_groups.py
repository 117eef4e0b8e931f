"""Wire shape of security groups and their rules (CloudStack's SecurityGroupResponse)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.api.responses import ResponseSpec, drop_none
from appliance.models import Account, Domain, SecurityGroup, SecurityGroupRule
from appliance.models.security_group import SecurityRuleType
from appliance.services.context import CallContext
from appliance.services.network import security_groups


@dataclass(frozen=True)
class GroupRules:
    """A group answered with some of its rules only (authorize: the rules just made)."""

    group: SecurityGroup
    rules: list[SecurityGroupRule]


def render_rule(rule: SecurityGroupRule, ctx: CallContext) -> dict[str, Any]:
    other = ctx.session.get(SecurityGroup, rule.allowed_group_id) \
        if rule.allowed_group_id else None
    owner = ctx.session.get(Account, other.account_id) if other else None
    return drop_none({
        "ruleid": rule.id,
        "protocol": rule.protocol,
        "startport": rule.start_port,
        "endport": rule.end_port,
        "icmptype": rule.icmp_type,
        "icmpcode": rule.icmp_code,
        "cidr": rule.cidr,
        "securitygroupname": other.name if other else None,
        "account": owner.name if owner else None,
        "tags": [],
    })


def render_group(item: SecurityGroup | GroupRules, ctx: CallContext) -> dict[str, Any]:
    if isinstance(item, GroupRules):
        group, rules = item.group, item.rules
    else:
        group, rules = item, security_groups.rules_of(ctx, item.id)
    account = ctx.session.get(Account, group.account_id)
    domain = ctx.session.get(Domain, group.domain_id)
    members = security_groups.member_vm_ids(ctx, group.id)
    return drop_none({
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "account": account.name if account else None,
        "domainid": group.domain_id,
        "domain": domain.name if domain else None,
        "ingressrule": [render_rule(r, ctx) for r in rules
                        if r.rule_type == SecurityRuleType.INGRESS],
        "egressrule": [render_rule(r, ctx) for r in rules
                       if r.rule_type == SecurityRuleType.EGRESS],
        "virtualmachinecount": len(members),
        "virtualmachineids": members,
        "tags": [],
    })


SECURITY_GROUP = ResponseSpec("securitygroup", (
    ("id", "the ID of the security group"), ("name", "the name of the security group"),
    ("description", "the description of the security group"),
    ("account", "the account owning the security group"),
    ("domainid", "the domain ID of the security group"),
    ("domain", "the domain name of the security group"),
    ("ingressrule", "the list of ingress rules: ruleid, protocol, startport, endport, "
     "icmptype, icmpcode, cidr, or securitygroupname and account"),
    ("egressrule", "the list of egress rules (same fields)"),
    ("virtualmachinecount", "the number of virtual machines in the security group"),
    ("virtualmachineids", "the IDs of the virtual machines in the security group"),
    ("tags", "the list of resource tags"),
), render_group)
