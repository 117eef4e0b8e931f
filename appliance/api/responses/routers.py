"""Wire shape of virtual routers (listRouters' `router`)."""

from __future__ import annotations

import ipaddress
from typing import Any

from appliance.api.responses import ResponseSpec, drop_none, wire_date
from appliance.models import Account, Domain, Host, Network, Zone
from appliance.models.router import DomainRouter
from appliance.services.context import CallContext
from appliance.services.network import routers


def render_router(router: DomainRouter, ctx: CallContext) -> dict[str, Any]:
    session = ctx.session
    zone = session.get(Zone, router.zone_id)
    network = session.get(Network, router.network_id)
    host = session.get(Host, router.host_id) if router.host_id else None
    account = session.get(Account, router.account_id) if router.account_id else None
    domain = session.get(Domain, router.domain_id) if router.domain_id else None
    public = routers.public_addresses(ctx, router.network_id) if network else []
    source_nat = next((ip for ip in public if ip.is_source_nat), None)
    public_range = routers.public_range_of(ctx, source_nat) if source_nat else None
    guest_netmask = (str(ipaddress.ip_network(network.cidr, strict=False).netmask)
                     if network else None)
    return drop_none({
        "id": router.id, "name": router.name, "state": str(router.state),
        "zoneid": router.zone_id, "zonename": zone.name if zone else None,
        "dns1": zone.dns1 if zone else None, "dns2": zone.dns2 if zone else None,
        "networkdomain": network.network_domain if network else None,
        "gateway": public_range.gateway if public_range else None,
        "publicip": source_nat.address if source_nat else None,
        "publicmacaddress": router.public_mac if source_nat else None,
        "publicnetmask": public_range.netmask if public_range else None,
        "guestipaddress": router.guest_ip, "guestmacaddress": router.guest_mac,
        "guestnetmask": guest_netmask, "guestnetworkid": router.network_id,
        "guestnetworkname": network.name if network else None,
        "linklocalip": router.control_ip, "linklocalnetmask": "255.255.0.0",
        "hostid": router.host_id, "hostname": host.name if host else None,
        "podid": host.pod_id if host else None,
        "account": account.name if account else "system",
        "domainid": router.domain_id, "domain": domain.name if domain else None,
        "created": wire_date(router.created), "role": "VIRTUAL_ROUTER",
        "isredundantrouter": False, "redundantstate": "UNKNOWN",
        "requiresupgrade": False, "version": "Cirrus",
        "appliedversion": router.applied_version,
        "statereason": router.state_reason,
    })


ROUTER = ResponseSpec("router", (
    ("id", "the id of the router"), ("name", "the name of the router"),
    ("state", "the state of the router"), ("zoneid", "the Zone ID for the router"),
    ("zonename", "the Zone name for the router"), ("dns1", "the first DNS for the router"),
    ("dns2", "the second DNS for the router"),
    ("networkdomain", "the network domain for the router"),
    ("gateway", "the gateway for the router (its public side)"),
    ("publicip", "the public IP address (source NAT) of the router"),
    ("publicmacaddress", "the public MAC address for the router"),
    ("publicnetmask", "the public netmask for the router"),
    ("guestipaddress", "the guest IP address for the router"),
    ("guestmacaddress", "the guest MAC address for the router"),
    ("guestnetmask", "the guest netmask for the router"),
    ("guestnetworkid", "the ID of the corresponding guest network"),
    ("guestnetworkname", "the name of the corresponding guest network"),
    ("linklocalip", "the control (link local) IP address of the router"),
    ("linklocalnetmask", "the control (link local) netmask of the router"),
    ("hostid", "the host ID for the router"), ("hostname", "the hostname for the router"),
    ("podid", "the Pod ID of the router's host"),
    ("account", "the account associated with the router"),
    ("domainid", "the domain ID associated with the router"),
    ("domain", "the domain associated with the router"),
    ("created", "the date and time the router was created"),
    ("role", "role of the domain router"),
    ("isredundantrouter", "if this router is a redundant virtual router (never, here)"),
    ("redundantstate", "the state of redundant virtual router"),
    ("requiresupgrade", "true if the router template requires upgrader"),
    ("version", "the version of the router's software"),
    ("appliedversion", "the network rules version the router last applied (Cirrus)"),
    ("statereason", "why the router last stopped or failed to start (Cirrus)"),
), render_router)
