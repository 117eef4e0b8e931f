"""Load balancing rules on public IPs and their member VMs (seed §6.3)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, INTEGER, LIST, STRING, UUID, param
from appliance.api.registry import Command, ListCommand, OwnedListCommand, api_command
from appliance.api.responses.network import (
    LOAD_BALANCER,
    LOAD_BALANCER_INSTANCE,
    LOAD_BALANCER_RULE,
)
from appliance.errors import InternalError
from appliance.jobs import queue
from appliance.models import FirewallRule, VirtualMachine
from appliance.models.network import LbAlgorithm
from appliance.orchestration import network_elements
from appliance.services.context import CallContext
from appliance.services.network import load_balancer
from appliance.services.paging import Page

RULE = "LoadBalancerRule"
ALGORITHMS = tuple(a.value for a in LbAlgorithm)


@dataclass(frozen=True)
class _LbCommand(Command):
    id: str = param(UUID, required=True, doc="the ID of the load balancer rule")


@api_command("createLoadBalancerRule", response=LOAD_BALANCER, is_async=True,
             event="LB.CREATE", instance_type=RULE, related=("listLoadBalancerRules",))
@dataclass(frozen=True)
class CreateLoadBalancerRule(Command):
    """Creates a load balancer rule; its state stays Add until a router applies it."""

    name: str = param(STRING, required=True, doc="name of the load balancer rule")
    algorithm: str = param(STRING, required=True, choices=ALGORITHMS,
                           doc="load balancer algorithm (source, roundrobin, leastconn)")
    privateport: int = param(INTEGER, required=True, doc="the private port of the private "
                             "IP address/virtual machine where the network traffic will be "
                             "load balanced to")
    publicport: int = param(INTEGER, required=True, doc="the public port from where the "
                            "network traffic will be load balanced from")
    publicipid: str = param(UUID, required=True, doc="public IP address ID from where the "
                            "network traffic will be load balanced from")
    description: str | None = param(STRING, length=4096, doc="the description of the load "
                                    "balancer rule")
    protocol: str | None = param(STRING, choices=("tcp", "udp"), doc="The protocol for the "
                                 "LB: tcp (the default) or udp")
    cidrlist: list[str] | None = param(LIST, doc="the CIDR list to forward traffic from")
    openfirewall: bool | None = param(BOOLEAN, doc="if true (the default), a firewall rule "
                                      "for the source cidr list is created as well")

    def accept(self, ctx: CallContext) -> str | None:
        return load_balancer.create(ctx, load_balancer.LbRequest(
            ip_address_id=self.publicipid, name=self.name, algorithm=self.algorithm,
            public_port=self.publicport, private_port=self.privateport,
            description=self.description, protocol=self.protocol or "tcp",
            cidrs=self.cidrlist, open_firewall=self.openfirewall is not False)).id

    def run(self, ctx: CallContext) -> FirewallRule:
        rule_id = queue.instance_id(ctx.session, ctx.job_id)
        if rule_id is None:
            raise InternalError("createLoadBalancerRule job has no rule")
        rule = load_balancer.get(ctx, rule_id)
        network_elements.apply(ctx, rule.network_id)
        ctx.session.refresh(rule)  # Active once applied
        return rule


@api_command("deleteLoadBalancerRule", is_async=True, event="LB.DELETE", instance_type=RULE)
@dataclass(frozen=True)
class DeleteLoadBalancerRule(_LbCommand):
    """Deletes a load balancer rule."""

    def accept(self, ctx: CallContext) -> str | None:
        return load_balancer.get(ctx, self.id).id

    def run(self, ctx: CallContext) -> None:
        network_elements.apply(ctx, load_balancer.delete_rule(ctx, self.id))


@api_command("updateLoadBalancerRule", response=LOAD_BALANCER, is_async=True,
             event="LB.UPDATE", instance_type=RULE)
@dataclass(frozen=True)
class UpdateLoadBalancerRule(_LbCommand):
    """Updates load balancer"""

    name: str | None = param(STRING, doc="the name of the load balancer rule")
    description: str | None = param(STRING, length=4096, doc="the description of the load "
                                    "balancer rule")
    algorithm: str | None = param(STRING, choices=ALGORITHMS, doc="load balancer algorithm "
                                  "(source, roundrobin, leastconn)")

    def accept(self, ctx: CallContext) -> str | None:
        return load_balancer.get(ctx, self.id).id

    def run(self, ctx: CallContext) -> FirewallRule:
        rule = load_balancer.update(ctx, self.id, name=self.name,
                                    description=self.description,
                                    algorithm_name=self.algorithm)
        network_elements.apply(ctx, rule.network_id)
        ctx.session.refresh(rule)
        return rule


@api_command("listLoadBalancerRules", response=LOAD_BALANCER_RULE)
@dataclass(frozen=True)
class ListLoadBalancerRules(OwnedListCommand):
    """Lists load balancer rules."""

    id: str | None = param(UUID, doc="the ID of the load balancer rule")
    name: str | None = param(STRING, doc="the name of the load balancer rule")
    publicipid: str | None = param(UUID, doc="the public IP address ID of the load balancer "
                                   "rule")
    virtualmachineid: str | None = param(UUID, doc="the ID of the virtual machine of the "
                                         "load balancer rule")
    zoneid: str | None = param(UUID, doc="the availability zone ID")
    networkid: str | None = param(UUID, doc="list by network ID the rule belongs to")

    def run(self, ctx: CallContext) -> Page[FirewallRule]:
        return load_balancer.list_rules(ctx, load_balancer.LbFilter(
            id=self.id, name=self.name, public_ip_id=self.publicipid,
            vm_id=self.virtualmachineid, zone_id=self.zoneid, network_id=self.networkid,
            keyword=self.keyword), owner=self.owner_filter(), page=self.page,
            pagesize=self.pagesize)


@api_command("assignToLoadBalancerRule", is_async=True, event="LB.ASSIGN.TO.RULE",
             instance_type=RULE)
@dataclass(frozen=True)
class AssignToLoadBalancerRule(_LbCommand):
    """Assigns virtual machine or a list of virtual machines to a load balancer rule."""

    virtualmachineids: list[str] = param(LIST, item_type=UUID, required=True,
                                         doc="the list of IDs of the virtual machine that "
                                         "are being assigned to the load balancer rule")

    def accept(self, ctx: CallContext) -> str | None:
        load_balancer.check_vms(ctx, self.id, self.virtualmachineids, assign=True)
        return self.id

    def run(self, ctx: CallContext) -> None:
        network_elements.apply(ctx, load_balancer.assign(ctx, self.id, self.virtualmachineids))


@api_command("removeFromLoadBalancerRule", is_async=True, event="LB.REMOVE.FROM.RULE",
             instance_type=RULE)
@dataclass(frozen=True)
class RemoveFromLoadBalancerRule(_LbCommand):
    """Removes a virtual machine or a list of virtual machines from a load balancer rule."""

    virtualmachineids: list[str] = param(LIST, item_type=UUID, required=True,
                                         doc="the list of IDs of the virtual machines that "
                                         "are being removed from the load balancer rule")

    def accept(self, ctx: CallContext) -> str | None:
        load_balancer.check_vms(ctx, self.id, self.virtualmachineids, assign=False)
        return self.id

    def run(self, ctx: CallContext) -> None:
        network_elements.apply(ctx, load_balancer.remove(ctx, self.id, self.virtualmachineids))


@api_command("listLoadBalancerRuleInstances", response=LOAD_BALANCER_INSTANCE)
@dataclass(frozen=True)
class ListLoadBalancerRuleInstances(ListCommand):
    """List all virtual machine instances that are assigned to a load balancer rule."""

    id: str = param(UUID, required=True, doc="the ID of the load balancer rule")
    applied: bool | None = param(BOOLEAN, doc="true (the default) lists the assigned VMs; "
                                 "false the VMs that could still be assigned")

    def run(self, ctx: CallContext) -> Page[VirtualMachine]:
        return load_balancer.instances(ctx, self.id, applied=self.applied is not False,
                                       page=self.page, pagesize=self.pagesize)
