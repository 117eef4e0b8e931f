"""Wire shape of guest networks (CloudStack's NetworkResponse)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from appliance.api.responses import ResponseSpec, drop_none
from appliance.models import Account, Domain, Network, NetworkOffering, VlanIpRange, Zone
from appliance.services.context import CallContext
from appliance.services.network import networks


def _broadcast_uri(network: Network) -> str | None:
    if network.vnet is None:
        return "vlan://untagged" if network.guest_type == networks.SHARED else None
    return f"{'vxlan' if network.isolation == 'vxlan' else 'vlan'}://{network.vnet}"


def render_network(network: Network, ctx: CallContext) -> dict[str, Any]:
    session = ctx.session
    zone = session.get(Zone, network.zone_id)
    offering = (session.get(NetworkOffering, network.network_offering_id)
                if network.network_offering_id else None)
    account = session.get(Account, network.account_id) if network.account_id else None
    domain = session.get(Domain, network.domain_id) if network.domain_id else None
    first = session.scalar(select(VlanIpRange).where(VlanIpRange.network_id == network.id)
                           .order_by(VlanIpRange.created).limit(1))
    isolated = network.guest_type == networks.ISOLATED
    return drop_none({
        "id": network.id,
        "name": network.name,
        "displaytext": network.display_text,
        "broadcastdomaintype": ("Vxlan" if network.isolation == "vxlan" else "Vlan")
        if network.vnet is not None else "Native",
        "traffictype": network.traffic_type,
        "gateway": network.gateway,
        "netmask": network.netmask,
        "cidr": network.cidr,
        "startip": first.start_ip if first else None,
        "endip": first.end_ip if first else None,
        "zoneid": network.zone_id,
        "zonename": zone.name if zone else None,
        "networkofferingid": network.network_offering_id,
        "networkofferingname": offering.name if offering else None,
        "networkofferingdisplaytext": offering.display_text if offering else None,
        "networkofferingavailability": offering.availability if offering else None,
        "isshared": network.account_id is None,
        "issystem": False,
        "state": str(network.state),
        "broadcasturi": _broadcast_uri(network),
        "dns1": zone.dns1 if zone else None,
        "dns2": zone.dns2 if zone else None,
        "type": networks.wire_type(network),
        "guestiptype": network.guest_type,
        "vlan": str(network.vnet) if network.vnet is not None else
        (None if isolated else "untagged"),
        "isolationmethod": network.isolation if network.vnet is not None else None,
        "account": account.name if account else None,
        "domainid": network.domain_id,
        "domain": domain.name if domain else None,
        "isdefault": network.is_default,
        "networkdomain": network.network_domain,
        "service": [],
    })


NETWORK = ResponseSpec("network", (
    ("id", "the id of the network"), ("name", "the name of the network"),
    ("displaytext", "the displaytext of the network"),
    ("broadcastdomaintype", "Broadcast domain type of the network"),
    ("traffictype", "the traffic type of the network"),
    ("gateway", "the network's gateway"), ("netmask", "the network's netmask"),
    ("cidr", "the cidr of the network"),
    ("startip", "the start ip of the network (direct networks)"),
    ("endip", "the end ip of the network (direct networks)"),
    ("zoneid", "zone id of the network"), ("zonename", "the name of the zone"),
    ("networkofferingid", "network offering id the network is created from"),
    ("networkofferingname", "name of the network offering the network is created from"),
    ("networkofferingdisplaytext", "display text of the network offering"),
    ("networkofferingavailability", "availability of the network offering"),
    ("isshared", "true if network is shared (zone-wide), false otherwise"),
    ("issystem", "true if network is system, false otherwise"),
    ("state", "state of the network"), ("broadcasturi", "broadcast uri of the network"),
    ("dns1", "the first DNS for the network"), ("dns2", "the second DNS for the network"),
    ("type", "the type of the network: Virtual or Direct"),
    ("guestiptype", "the guest type of the network: Isolated or Shared"),
    ("vlan", "the vlan of the network"),
    ("isolationmethod", "the isolation of the network's VLAN/VNI: vlan or vxlan"),
    ("account", "the owner of the network"),
    ("domainid", "the domain id of the network owner"),
    ("domain", "the domain name of the network owner"),
    ("isdefault", "true if network is default, false otherwise"),
    ("networkdomain", "the network domain"), ("service", "the list of services"),
), render_network)
