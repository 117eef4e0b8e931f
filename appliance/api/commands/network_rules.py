"""Port forwarding, static NAT and firewall rules on public IPs (seed §5.7, §5.8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from appliance.api.params import BOOLEAN, INTEGER, LIST, STRING, UUID, param
from appliance.api.registry import Command, OwnedListCommand, api_command
from appliance.api.responses.network import (
    FIREWALL_RULE,
    IP_FORWARDING_RULE,
    PORT_FORWARDING_RULE,
)
from appliance.errors import InternalError
from appliance.jobs import queue
from appliance.models import FirewallRule, RulePurpose
from appliance.orchestration import network_elements
from appliance.services.context import CallContext
from appliance.services.network import rules
from appliance.services.paging import Page

RULE = "FirewallRule"


def _created_rule(ctx: CallContext, purpose: RulePurpose, what: str,
                  traffic_type: str = rules.INGRESS) -> FirewallRule:
    """The rule the job's API call created, once its network's router applied it."""
    rule_id = queue.instance_id(ctx.session, ctx.job_id)
    if rule_id is None:
        raise InternalError(f"the job creating a {what} has no rule")
    rule = rules.get_rule(ctx, rule_id, purpose, what, traffic_type)
    network_elements.apply(ctx, rule.network_id)
    ctx.session.refresh(rule)  # Active once applied
    return rule


@dataclass(frozen=True)
class _DeleteRule(Command):
    """Deletes one rule of PURPOSE/TRAFFIC; its network's router drops it in the job."""

    PURPOSE: ClassVar[RulePurpose]
    WHAT: ClassVar[str]
    TRAFFIC: ClassVar[str] = rules.INGRESS

    id: str = param(UUID, required=True, doc="the ID of the rule")

    def accept(self, ctx: CallContext) -> str | None:
        return rules.check_rule_deletable(ctx, self.id, self.PURPOSE, self.WHAT, self.TRAFFIC)

    def run(self, ctx: CallContext) -> None:
        network_elements.apply(ctx, rules.delete_rule(ctx, self.id, self.PURPOSE, self.WHAT,
                                                      self.TRAFFIC))


@api_command("listPortForwardingRules", response=PORT_FORWARDING_RULE)
@dataclass(frozen=True)
class ListPortForwardingRules(OwnedListCommand):
    """Lists all port forwarding rules for an IP address."""

    id: str | None = param(UUID, doc="Lists rule with the specified ID.")
    ipaddressid: str | None = param(UUID, doc="the ID of IP address of the port forwarding "
                                    "services")
    networkid: str | None = param(UUID, doc="list port forwarding rules for certain network")

    def run(self, ctx: CallContext) -> Page[FirewallRule]:
        return rules.list_rules(ctx, rules.RuleFilter(
            RulePurpose.PORT_FORWARDING, id=self.id, ip_address_id=self.ipaddressid,
            network_id=self.networkid),
            owner=self.owner_filter(), page=self.page, pagesize=self.pagesize)


@api_command("createPortForwardingRule", response=PORT_FORWARDING_RULE, is_async=True,
             event="NET.RULEADD", instance_type=RULE, related=("listPortForwardingRules",))
@dataclass(frozen=True)
class CreatePortForwardingRule(Command):
    """Creates a port forwarding rule; its state stays Add until a router applies it."""

    ipaddressid: str = param(UUID, required=True, doc="the IP address id of the port "
                             "forwarding rule")
    privateport: int = param(INTEGER, required=True, doc="the starting port of port "
                             "forwarding rule's private port range")
    protocol: str = param(STRING, required=True, choices=rules.PORT_PROTOCOLS,
                          doc="the protocol for the port forwarding rule. Valid values are "
                          "TCP or UDP.")
    publicport: int = param(INTEGER, required=True, doc="the starting port of port "
                            "forwarding rule's public port range")
    virtualmachineid: str = param(UUID, required=True, doc="the ID of the virtual machine "
                                  "for the port forwarding rule")
    privateendport: int | None = param(INTEGER, doc="the ending port of port forwarding "
                                       "rule's private port range")
    publicendport: int | None = param(INTEGER, doc="the ending port of port forwarding "
                                      "rule's public port range")
    cidrlist: list[str] | None = param(LIST, doc="the cidr list to forward traffic from")
    openfirewall: bool | None = param(BOOLEAN, doc="if true (the default), a firewall rule "
                                      "for the source cidr list is created as well")

    def accept(self, ctx: CallContext) -> str | None:
        return rules.create_port_forwarding(ctx, rules.PortForwardingRequest(
            ip_address_id=self.ipaddressid, protocol=self.protocol,
            public_port=self.publicport, public_end_port=self.publicendport,
            private_port=self.privateport, private_end_port=self.privateendport,
            vm_id=self.virtualmachineid, cidrs=self.cidrlist,
            open_firewall=self.openfirewall is not False)).id

    def run(self, ctx: CallContext) -> FirewallRule:
        return _created_rule(ctx, RulePurpose.PORT_FORWARDING, "port forwarding rule")

    def describe(self) -> str:
        return f"creating port forwarding rule on public port {self.publicport}"


@api_command("deletePortForwardingRule", is_async=True, event="NET.RULEDELETE",
             instance_type=RULE)
@dataclass(frozen=True)
class DeletePortForwardingRule(_DeleteRule):
    """Deletes a port forwarding rule (and the firewall rule opened for it)."""

    PURPOSE, WHAT = RulePurpose.PORT_FORWARDING, "port forwarding rule"

    id: str = param(UUID, required=True, doc="the ID of the port forwarding rule")


@api_command("listIpForwardingRules", response=IP_FORWARDING_RULE)
@dataclass(frozen=True)
class ListIpForwardingRules(OwnedListCommand):
    """List the static NAT rules of the caller's IP addresses."""

    id: str | None = param(UUID, doc="Lists rule with the specified ID.")
    ipaddressid: str | None = param(UUID, doc="list the rule belonging to this public IP")
    virtualmachineid: str | None = param(UUID, doc="Lists all rules applied to this VM")

    def run(self, ctx: CallContext) -> Page[FirewallRule]:
        return rules.list_rules(ctx, rules.RuleFilter(
            RulePurpose.STATIC_NAT, id=self.id, ip_address_id=self.ipaddressid,
            vm_id=self.virtualmachineid), owner=self.owner_filter(), page=self.page,
            pagesize=self.pagesize)


@api_command("enableStaticNat", event="STATICNAT.ENABLE")
@dataclass(frozen=True)
class EnableStaticNat(Command):
    """Enables static NAT for given IP address"""

    ipaddressid: str = param(UUID, required=True, doc="the public IP address ID for which "
                             "static NAT feature is being enabled")
    virtualmachineid: str = param(UUID, required=True, doc="the ID of the virtual machine "
                                  "for enabling static NAT feature")

    def run(self, ctx: CallContext) -> None:
        rule = rules.enable_static_nat(ctx, self.ipaddressid, self.virtualmachineid)
        network_elements.apply(ctx, rule.network_id)

    def describe(self) -> str:
        return f"enabling static NAT on IP address {self.ipaddressid}"


@api_command("disableStaticNat", is_async=True, event="STATICNAT.DISABLE",
             instance_type="IpAddress")
@dataclass(frozen=True)
class DisableStaticNat(Command):
    """Disables static rule for given IP address"""

    ipaddressid: str = param(UUID, required=True, doc="the public IP address ID for which "
                             "static NAT feature is being disabled")

    def accept(self, ctx: CallContext) -> str | None:
        return rules.check_static_nat_enabled(ctx, self.ipaddressid).id

    def run(self, ctx: CallContext) -> None:
        network_elements.apply(ctx, rules.disable_static_nat(ctx, self.ipaddressid))

    def describe(self) -> str:
        return f"disabling static NAT on IP address {self.ipaddressid}"


@api_command("listFirewallRules", response=FIREWALL_RULE)
@dataclass(frozen=True)
class ListFirewallRules(OwnedListCommand):
    """Lists all firewall rules for an IP address."""

    id: str | None = param(UUID, doc="Lists rule with the specified ID.")
    ipaddressid: str | None = param(UUID, doc="the ID of IP address of the firewall services")
    networkid: str | None = param(UUID, doc="list firewall rules for certain network")

    def run(self, ctx: CallContext) -> Page[FirewallRule]:
        return rules.list_rules(ctx, rules.RuleFilter(
            RulePurpose.FIREWALL, id=self.id, ip_address_id=self.ipaddressid,
            network_id=self.networkid), owner=self.owner_filter(), page=self.page,
            pagesize=self.pagesize)


@api_command("createFirewallRule", response=FIREWALL_RULE, is_async=True,
             event="FIREWALL.OPEN", instance_type=RULE, related=("listFirewallRules",))
@dataclass(frozen=True)
class CreateFirewallRule(Command):
    """Creates an ingress firewall rule for a given IP address; ingress is closed unless a
    rule opens it."""

    ipaddressid: str = param(UUID, required=True, doc="the IP address id of the firewall "
                             "rule")
    protocol: str = param(STRING, required=True, choices=rules.FIREWALL_PROTOCOLS,
                          doc="the protocol for the firewall rule. Valid values are "
                          "TCP/UDP/ICMP.")
    startport: int | None = param(INTEGER, doc="the starting port of firewall rule")
    endport: int | None = param(INTEGER, doc="the ending port of firewall rule")
    cidrlist: list[str] | None = param(LIST, doc="the cidr list to allow traffic from")
    icmptype: int | None = param(INTEGER, doc="type of the icmp message being sent")
    icmpcode: int | None = param(INTEGER, doc="error code for this icmp message")

    def accept(self, ctx: CallContext) -> str | None:
        return rules.create_firewall_rule(ctx, rules.FirewallRequest(
            ip_address_id=self.ipaddressid, protocol=self.protocol,
            start_port=self.startport, end_port=self.endport, cidrs=self.cidrlist,
            icmp_type=self.icmptype, icmp_code=self.icmpcode)).id

    def run(self, ctx: CallContext) -> FirewallRule:
        return _created_rule(ctx, RulePurpose.FIREWALL, "firewall rule")

    def describe(self) -> str:
        return f"creating firewall rule for {self.protocol} on IP address {self.ipaddressid}"


@api_command("deleteFirewallRule", is_async=True, event="FIREWALL.CLOSE",
             instance_type=RULE)
@dataclass(frozen=True)
class DeleteFirewallRule(_DeleteRule):
    """Deletes a firewall rule"""

    PURPOSE, WHAT = RulePurpose.FIREWALL, "firewall rule"

    id: str = param(UUID, required=True, doc="the ID of the firewall rule")


@api_command("listEgressFirewallRules", response=FIREWALL_RULE)
@dataclass(frozen=True)
class ListEgressFirewallRules(OwnedListCommand):
    """Lists all egress firewall rules for network ID."""

    id: str | None = param(UUID, doc="Lists rule with the specified ID.")
    networkid: str | None = param(UUID, doc="the network ID for the egress firewall services")

    def run(self, ctx: CallContext) -> Page[FirewallRule]:
        return rules.list_rules(ctx, rules.RuleFilter(
            RulePurpose.FIREWALL, id=self.id, network_id=self.networkid,
            traffic_type=rules.EGRESS), owner=self.owner_filter(), page=self.page,
            pagesize=self.pagesize)


@api_command("createEgressFirewallRule", response=FIREWALL_RULE, is_async=True,
             event="FIREWALL.EGRESS.OPEN", instance_type=RULE, since="4.0.0",
             related=("listEgressFirewallRules",))
@dataclass(frozen=True)
class CreateEgressFirewallRule(Command):
    """Creates a egress firewall rule for a given network; its state stays Add until a
    router applies it."""

    networkid: str = param(UUID, required=True, doc="the network id of the port forwarding "
                           "rule")
    protocol: str = param(STRING, required=True, choices=rules.FIREWALL_PROTOCOLS,
                          doc="the protocol for the firewall rule. Valid values are "
                          "TCP/UDP/ICMP.")
    startport: int | None = param(INTEGER, doc="the starting port of firewall rule")
    endport: int | None = param(INTEGER, doc="the ending port of firewall rule")
    cidrlist: list[str] | None = param(LIST, doc="the source cidr list (the network's VMs) "
                                       "the rule applies to")
    icmptype: int | None = param(INTEGER, doc="type of the icmp message being sent")
    icmpcode: int | None = param(INTEGER, doc="error code for this icmp message")

    def accept(self, ctx: CallContext) -> str | None:
        return rules.create_egress_rule(ctx, self.networkid, rules.FirewallRequest(
            ip_address_id=None, protocol=self.protocol, start_port=self.startport,
            end_port=self.endport, cidrs=self.cidrlist, icmp_type=self.icmptype,
            icmp_code=self.icmpcode)).id

    def run(self, ctx: CallContext) -> FirewallRule:
        return _created_rule(ctx, RulePurpose.FIREWALL, "egress firewall rule", rules.EGRESS)

    def describe(self) -> str:
        return f"creating egress firewall rule for {self.protocol} on network {self.networkid}"


@api_command("deleteEgressFirewallRule", is_async=True, event="FIREWALL.EGRESS.CLOSE",
             instance_type=RULE, since="4.0.0")
@dataclass(frozen=True)
class DeleteEgressFirewallRule(_DeleteRule):
    """Deletes an egress firewall rule"""

    PURPOSE, WHAT, TRAFFIC = RulePurpose.FIREWALL, "egress firewall rule", rules.EGRESS

    id: str = param(UUID, required=True, doc="the ID of the firewall rule")
