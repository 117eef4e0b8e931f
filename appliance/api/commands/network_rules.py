"""listPortForwardingRules and listIpForwardingRules (seed §5.7, §5.8)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import UUID, param
from appliance.api.registry import OwnedListCommand, api_command
from appliance.api.responses.network import IP_FORWARDING_RULE, PORT_FORWARDING_RULE
from appliance.models import FirewallRule, RulePurpose
from appliance.services.context import CallContext
from appliance.services.network import rules
from appliance.services.paging import Page


@api_command("listPortForwardingRules", response=PORT_FORWARDING_RULE)
@dataclass(frozen=True)
class ListPortForwardingRules(OwnedListCommand):
    """Lists all port forwarding rules for an IP address."""

    id: str | None = param(UUID, doc="Lists rule with the specified ID.")
    ipaddressid: str | None = param(UUID, doc="the ID of IP address of the port forwarding "
                                    "services")

    def run(self, ctx: CallContext) -> Page[FirewallRule]:
        return rules.list_rules(ctx, rules.RuleFilter(
            RulePurpose.PORT_FORWARDING, id=self.id, ip_address_id=self.ipaddressid),
            owner=self.owner_filter(), page=self.page, pagesize=self.pagesize)


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
