"""Security groups of basic zones (seed §1.4.1): createSecurityGroup, deleteSecurityGroup,
listSecurityGroups, authorize/revoke SecurityGroupIngress/Egress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.api.params import INTEGER, LIST, MAP, STRING, UUID, param
from appliance.api.registry import Command, OwnedListCommand, api_command
from appliance.api.responses.security_groups import SECURITY_GROUP, GroupRules
from appliance.models import SecurityGroup
from appliance.models.security_group import SecurityRuleType
from appliance.orchestration import security_groups as enforcement
from appliance.services.context import CallContext
from appliance.services.network import security_groups
from appliance.services.paging import Page

SG = "SecurityGroup"


# SG.CREATE, SG.DELETE, SG.AUTH.EGRESS and SG.REVOKE.EGRESS are not event types of
# services/events.py yet: those four commands record no event until they are.
@api_command("createSecurityGroup", response=SECURITY_GROUP, event="SG.CREATE",
             related=("listSecurityGroups",))
@dataclass(frozen=True)
class CreateSecurityGroup(Command):
    """Creates a security group"""

    name: str = param(STRING, required=True, doc="name of the security group")
    description: str | None = param(STRING, length=4096,
                                    doc="the description of the security group")
    account: str | None = param(STRING, doc="an optional account for the security group. "
                                "Must be used with domainId.")
    domainid: str | None = param(UUID, doc="an optional domainId for the security group. If "
                                 "the account parameter is used, domainId must also be used.")

    def run(self, ctx: CallContext) -> SecurityGroup:
        return security_groups.create_group(ctx, self.name, self.description,
                                            account=self.account, domain_id=self.domainid)


@api_command("deleteSecurityGroup", event="SG.DELETE")
@dataclass(frozen=True)
class DeleteSecurityGroup(Command):
    """Deletes security group"""

    id: str | None = param(UUID, doc="The ID of the security group. Mutually exclusive with "
                           "name parameter")
    name: str | None = param(STRING, doc="The name of the security group. Mutually exclusive "
                             "with id parameter")
    account: str | None = param(STRING, doc="the account of the security group. Must be "
                                "specified with domain ID")
    domainid: str | None = param(UUID, doc="the domain ID of account owning the security "
                                 "group")

    def run(self, ctx: CallContext) -> None:
        security_groups.delete_group(ctx, group_id=self.id, name=self.name,
                                     account=self.account, domain_id=self.domainid)


@api_command("listSecurityGroups", response=SECURITY_GROUP, writes=True)
@dataclass(frozen=True)
class ListSecurityGroups(OwnedListCommand):
    """Lists security groups"""

    id: str | None = param(UUID, doc="list the security group by the id provided")
    securitygroupname: str | None = param(STRING, doc="lists security groups by name")
    virtualmachineid: str | None = param(UUID, doc="lists security groups by virtual "
                                         "machine id")

    def run(self, ctx: CallContext) -> Page[SecurityGroup]:
        return security_groups.list_groups(ctx, security_groups.GroupFilter(
            id=self.id, name=self.securitygroupname, vm_id=self.virtualmachineid,
            keyword=self.keyword), owner=self.owner_filter(), page=self.page,
            pagesize=self.pagesize)


@dataclass(frozen=True)
class _Authorize(Command):
    protocol: str | None = param(STRING, doc="the protocol of the rule: TCP, UDP, ICMP or "
                                 "ALL (the default)")
    startport: int | None = param(INTEGER, doc="start port for this rule")
    endport: int | None = param(INTEGER, doc="end port for this rule")
    icmptype: int | None = param(INTEGER, doc="type of the icmp message being sent")
    icmpcode: int | None = param(INTEGER, doc="error code for this icmp message")
    cidrlist: list[str] | None = param(LIST, doc="the cidr list associated")
    usersecuritygrouplist: Any = param(MAP, doc="user to security group mapping: "
                                       "usersecuritygrouplist[0].account=a&"
                                       "usersecuritygrouplist[0].group=g")
    securitygroupid: str | None = param(UUID, doc="The ID of the security group. Mutually "
                                        "exclusive with securityGroupName parameter")
    securitygroupname: str | None = param(STRING, doc="The name of the security group. "
                                          "Mutually exclusive with securityGroupId parameter")
    account: str | None = param(STRING, doc="an optional account for the security group. "
                                "Must be used with domainId.")
    domainid: str | None = param(UUID, doc="an optional domainId for the security group. If "
                                 "the account parameter is used, domainId must also be used.")

    rule_type = SecurityRuleType.INGRESS

    def request(self) -> security_groups.RuleRequest:
        entries = self.usersecuritygrouplist or []
        if isinstance(entries, dict):
            entries = list(entries.values())
        return security_groups.RuleRequest(
            rule_type=self.rule_type, protocol=self.protocol, start_port=self.startport,
            end_port=self.endport, icmp_type=self.icmptype, icmp_code=self.icmpcode,
            cidrs=self.cidrlist, user_groups=[dict(e) for e in entries],
            group_id=self.securitygroupid, group_name=self.securitygroupname,
            account=self.account, domain_id=self.domainid)

    def accept(self, ctx: CallContext) -> str | None:
        group, _ = security_groups.authorize(ctx, self.request())
        return group.id

    def run(self, ctx: CallContext) -> GroupRules:
        group = security_groups.target_group(ctx, self.request())
        enforcement.apply_group(ctx, group.id)
        return GroupRules(*security_groups.authorized_rules(ctx, self.request()))

    def describe(self) -> str:
        group = self.securitygroupname or self.securitygroupid or ""
        return f"authorizing {self.rule_type} rule(s) of security group {group}".rstrip()


@api_command("authorizeSecurityGroupIngress", response=SECURITY_GROUP, is_async=True,
             event="SG.AUTH.INGRESS", instance_type=SG, related=("listSecurityGroups",))
@dataclass(frozen=True)
class AuthorizeSecurityGroupIngress(_Authorize):
    """Authorizes a particular ingress rule for this security group"""

    rule_type = SecurityRuleType.INGRESS


@api_command("authorizeSecurityGroupEgress", response=SECURITY_GROUP, is_async=True,
             event="SG.AUTH.EGRESS", instance_type=SG, since="3.0.0",
             related=("listSecurityGroups",))
@dataclass(frozen=True)
class AuthorizeSecurityGroupEgress(_Authorize):
    """Authorizes a particular egress rule for this security group"""

    rule_type = SecurityRuleType.EGRESS


@dataclass(frozen=True)
class _Revoke(Command):
    id: str = param(UUID, required=True, doc="The ID of the rule")

    rule_type = SecurityRuleType.INGRESS

    def accept(self, ctx: CallContext) -> str | None:
        return security_groups.get_rule(ctx, self.id, self.rule_type).security_group_id

    def run(self, ctx: CallContext) -> None:
        group_id = security_groups.revoke(ctx, self.id, self.rule_type)
        ctx.checkpoint()  # committed before any host applies it
        enforcement.apply_group(ctx, group_id)

    def describe(self) -> str:
        return f"revoking {self.rule_type} security group rule {self.id}"


@api_command("revokeSecurityGroupIngress", is_async=True, event="SG.REVOKE.INGRESS",
             instance_type=SG)
@dataclass(frozen=True)
class RevokeSecurityGroupIngress(_Revoke):
    """Deletes a particular ingress rule from this security group"""

    rule_type = SecurityRuleType.INGRESS


@api_command("revokeSecurityGroupEgress", is_async=True, event="SG.REVOKE.EGRESS",
             instance_type=SG, since="3.0.0")
@dataclass(frozen=True)
class RevokeSecurityGroupEgress(_Revoke):
    """Deletes a particular egress rule from this security group"""

    rule_type = SecurityRuleType.EGRESS
