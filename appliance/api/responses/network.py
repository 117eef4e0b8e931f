"""Wire shapes of public IP addresses and the rules on them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from appliance.api.responses import ResponseSpec, drop_none, wire_date
from appliance.api.responses.compute import VIRTUAL_MACHINE
from appliance.models import (
    Account,
    Domain,
    FirewallRule,
    PublicIpAddress,
    RulePurpose,
    VirtualMachine,
    VlanIpRange,
    Zone,
)
from appliance.models.network import LoadBalancerRule
from appliance.services.context import CallContext


def _static_nat_vm(ip: PublicIpAddress, ctx: CallContext) -> VirtualMachine | None:
    vm_id = ctx.session.scalar(select(FirewallRule.vm_id).where(
        FirewallRule.ip_address_id == ip.id, FirewallRule.purpose == RulePurpose.STATIC_NAT))
    return ctx.session.get(VirtualMachine, vm_id) if vm_id else None


def render_public_ip(ip: PublicIpAddress, ctx: CallContext) -> dict[str, Any]:
    session = ctx.session
    zone = session.get(Zone, ip.zone_id)
    vlan = session.get(VlanIpRange, ip.vlan_range_id)
    account = session.get(Account, ip.account_id) if ip.account_id else None
    domain = session.get(Domain, ip.domain_id) if ip.domain_id else None
    nat_vm = _static_nat_vm(ip, ctx)
    return drop_none({
        "id": ip.id,
        "ipaddress": ip.address,
        "allocated": wire_date(ip.allocated),
        "zoneid": ip.zone_id,
        "zonename": zone.name if zone else None,
        "issourcenat": ip.is_source_nat,
        "account": account.name if account else None,
        "domainid": ip.domain_id,
        "domain": domain.name if domain else None,
        "forvirtualnetwork": vlan.for_virtual_network if vlan else None,
        "vlanid": ip.vlan_range_id if ctx.caller.is_root_admin else None,
        "vlanname": vlan.vlan if vlan and ctx.caller.is_root_admin else None,
        "isstaticnat": nat_vm is not None,
        "virtualmachineid": nat_vm.id if nat_vm else None,
        "virtualmachinename": nat_vm.name if nat_vm else None,
        "virtualmachinedisplayname": nat_vm.display_name if nat_vm else None,
        "associatednetworkid": ip.network_id,
        "state": ip.state,
    })


PUBLIC_IP = ResponseSpec("publicipaddress", (
    ("id", "public IP address id"), ("ipaddress", "public IP address"),
    ("allocated", "date the public IP address was acquired"),
    ("zoneid", "the ID of the zone"), ("zonename", "the name of the zone"),
    ("issourcenat", "true if the IP address is a source NAT address"),
    ("account", "the account the public IP address is associated with"),
    ("domainid", "the domain ID of the owner"), ("domain", "the domain of the owner"),
    ("forvirtualnetwork", "the virtual network for the IP address"),
    ("vlanid", "the ID of the VLAN range (root admins)"),
    ("vlanname", "the VLAN of the range (root admins)"),
    ("isstaticnat", "true if this IP is for static NAT"),
    ("virtualmachineid", "VM the static NAT goes to"),
    ("virtualmachinename", "name of the static NAT VM"),
    ("virtualmachinedisplayname", "display name of the static NAT VM"),
    ("associatednetworkid", "the ID of the network the IP belongs to"),
    ("state", "State of the IP address: Allocating, Allocated, Releasing or Free"),
), render_public_ip)

# associateIpAddress's job answers the same object as `ipaddress` (CloudStack's
# AssociateIPAddrCmd; libcloud and ngine_io.cloudstack's cs_ip_address read that key).
ASSOCIATED_IP = ResponseSpec("ipaddress", PUBLIC_IP.fields, render_public_ip)


RULE_STATE_DOC = ("the state of the rule: Add until the network's virtual router has "
                  "applied it, then Active")


def _rule_common(rule: FirewallRule, ctx: CallContext) -> dict[str, Any]:
    ip = ctx.session.get(PublicIpAddress, rule.ip_address_id)
    vm = ctx.session.get(VirtualMachine, rule.vm_id) if rule.vm_id else None
    return {
        "id": rule.id,
        "protocol": rule.protocol,
        "ipaddressid": rule.ip_address_id,
        "ipaddress": ip.address if ip else None,
        "virtualmachineid": vm.id if vm else None,
        "virtualmachinename": vm.name if vm else None,
        "virtualmachinedisplayname": vm.display_name if vm else None,
        "state": str(rule.state),
        "cidrlist": rule.source_cidrs or "",
    }


def render_port_forwarding(rule: FirewallRule, ctx: CallContext) -> dict[str, Any]:
    return drop_none({
        **_rule_common(rule, ctx),
        "publicport": str(rule.start_port),
        "publicendport": str(rule.end_port),
        "privateport": str(rule.private_start_port),
        "privateendport": str(rule.private_end_port),
        "vmguestip": rule.private_ip,
        "networkid": rule.network_id,
        "tags": [],
    })


_RULE_FIELDS = (
    ("id", "the ID of the rule"), ("protocol", "the protocol of the rule"),
    ("ipaddressid", "the public IP address id"), ("ipaddress", "the public IP address"),
    ("virtualmachineid", "the VM ID"), ("virtualmachinename", "the VM name"),
    ("virtualmachinedisplayname", "the VM display name"),
    ("state", RULE_STATE_DOC),
    ("cidrlist", "the cidr list to forward traffic from"),
)

PORT_FORWARDING_RULE = ResponseSpec("portforwardingrule", (
    *_RULE_FIELDS, ("publicport", "the starting port of the public range"),
    ("publicendport", "the ending port of the public range"),
    ("privateport", "the starting port of the private range"),
    ("privateendport", "the ending port of the private range"),
    ("vmguestip", "the VM's IP the traffic goes to"), ("networkid", "the guest network"),
    ("tags", "the list of resource tags"),
), render_port_forwarding)


def render_ip_forwarding(rule: FirewallRule, ctx: CallContext) -> dict[str, Any]:
    return drop_none({
        **_rule_common(rule, ctx),
        "startport": rule.start_port,
        "endport": rule.end_port,
    })


IP_FORWARDING_RULE = ResponseSpec("ipforwardingrule", (
    *_RULE_FIELDS, ("startport", "the start of the port range"),
    ("endport", "the end of the port range"),
), render_ip_forwarding)



def render_firewall_rule(rule: FirewallRule, ctx: CallContext) -> dict[str, Any]:
    ip = ctx.session.get(PublicIpAddress, rule.ip_address_id) if rule.ip_address_id else None
    return drop_none({
        "id": rule.id,
        "protocol": rule.protocol,
        "startport": rule.start_port,
        "endport": rule.end_port,
        "ipaddressid": rule.ip_address_id,
        "ipaddress": ip.address if ip else None,
        "networkid": rule.network_id,
        "state": str(rule.state),
        "cidrlist": rule.source_cidrs or "",
        "icmptype": rule.icmp_type,
        "icmpcode": rule.icmp_code,
        "traffictype": rule.traffic_type,
        "tags": [],
    })


FIREWALL_RULE = ResponseSpec("firewallrule", (
    ("id", "the ID of the firewall rule"), ("protocol", "the protocol of the firewall rule"),
    ("startport", "the starting port of firewall rule's port range"),
    ("endport", "the ending port of firewall rule's port range"),
    ("ipaddressid", "the public ip address id for the firewall rule"),
    ("ipaddress", "the public ip address for the firewall rule"),
    ("networkid", "the network id of the firewall rule"),
    ("state", RULE_STATE_DOC),
    ("cidrlist", "the cidr list to allow traffic from"),
    ("icmptype", "type of the icmp message being sent"),
    ("icmpcode", "error code for this icmp message"),
    ("traffictype", "the traffic type for the firewall rule: Ingress (to a public IP "
     "address) or Egress (from a network's VMs)"),
    ("tags", "the list of resource tags"),
), render_firewall_rule)


def render_load_balancer(rule: FirewallRule, ctx: CallContext) -> dict[str, Any]:
    session = ctx.session
    lb = session.get(LoadBalancerRule, rule.id)
    ip = session.get(PublicIpAddress, rule.ip_address_id)
    account = session.get(Account, rule.account_id)
    domain = session.get(Domain, rule.domain_id)
    return drop_none({
        "id": rule.id,
        "name": lb.name if lb else None,
        "description": lb.description if lb else None,
        "algorithm": str(lb.algorithm) if lb else None,
        "publicipid": rule.ip_address_id,
        "publicip": ip.address if ip else None,
        "publicport": str(rule.start_port),
        "privateport": str(lb.private_port) if lb else None,
        "protocol": rule.protocol,
        "cidrlist": rule.source_cidrs or "",
        "account": account.name if account else None,
        "domainid": rule.domain_id,
        "domain": domain.name if domain else None,
        "zoneid": ip.zone_id if ip else None,
        "networkid": rule.network_id,
        "state": str(rule.state),
        "tags": [],
    })


_LB_FIELDS = (
    ("id", "the load balancer rule ID"), ("name", "the name of the load balancer"),
    ("description", "the description of the load balancer"),
    ("algorithm", "the load balancer algorithm (source, roundrobin, leastconn)"),
    ("publicipid", "the public ip address id"), ("publicip", "the public ip address"),
    ("publicport", "the public port"), ("privateport", "the private port"),
    ("protocol", "the protocol of the loadbalanacer rule"),
    ("cidrlist", "the cidr list to forward traffic from"),
    ("account", "the account of the load balancer rule"),
    ("domainid", "the domain ID of the load balancer rule"),
    ("domain", "the domain of the load balancer rule"),
    ("zoneid", "the id of the zone the rule belongs to"),
    ("networkid", "the id of the guest network the lb rule belongs to"),
    ("state", RULE_STATE_DOC), ("tags", "the list of resource tags"),
)

# createLoadBalancerRule and updateLoadBalancerRule answer `loadbalancer`; the list
# answers `loadbalancerrule` (as CloudStack's clients expect).
LOAD_BALANCER = ResponseSpec("loadbalancer", _LB_FIELDS, render_load_balancer)
LOAD_BALANCER_RULE = ResponseSpec("loadbalancerrule", _LB_FIELDS, render_load_balancer)
LOAD_BALANCER_INSTANCE = ResponseSpec("loadbalancerruleinstance", VIRTUAL_MACHINE.fields,
                                      VIRTUAL_MACHINE.render)
