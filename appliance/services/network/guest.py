"""Guest networks and NICs (seed §5.2, §11.8): an account's isolated network in an advanced
zone, created on its first deployment on the next free VLAN/VNI of the zone's range, and
one NIC per VM with a MAC and the lowest free guest address.

Every allocation is a unique row (zone+vnet, network+address, MAC) inserted in a
savepoint: a racing server that took the same one makes the insert fail and we move on.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from appliance.errors import InsufficientCapacity, ParamError
from appliance.models import Account, GuestVnet, Network, NetworkOffering, Nic, Zone
from appliance.models.infra import NetworkType
from appliance.services.context import CallContext
from appliance.services.network import routers
from appliance.services.paging import Page, paginate

ATTEMPTS = 64


def vnet_range(zone: Zone) -> list[tuple[int, int]]:
    """The zone's guest VLAN/VNI ranges: "100-199" or "100-199,300-310"."""
    ranges: list[tuple[int, int]] = []
    for part in (zone.vlan_range or "").split(","):
        part = part.strip()
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            start, end = int(low), int(high or low)
        except ValueError:
            raise ParamError(f"Zone {zone.name} has an invalid guest range {zone.vlan_range}")\
                from None
        ranges.append((start, end))
    return ranges


def take_vnet(ctx: CallContext, zone: Zone, network: Network) -> int:
    session = ctx.session
    taken = set(session.scalars(select(GuestVnet.vnet).where(GuestVnet.zone_id == zone.id)))
    for start, end in vnet_range(zone):
        for vnet in range(start, end + 1):
            if vnet in taken:
                continue
            try:
                with session.begin_nested():
                    session.add(GuestVnet(zone_id=zone.id, vnet=vnet, network_id=network.id,
                                          account_id=network.account_id))
            except IntegrityError:
                continue  # another server took it first
            return vnet
    kind = "VNI" if zone.isolation_method == "vxlan" else "VLAN"
    raise InsufficientCapacity(f"Zone {zone.name} has no free guest {kind} left in "
                               f"{zone.vlan_range or 'its (empty) range'}")


def find_default_network(ctx: CallContext, owner: Account, zone: Zone) -> Network | None:
    """The owner's default isolated network in the zone, if it has one."""
    return ctx.session.scalar(select(Network).where(
        Network.zone_id == zone.id, Network.account_id == owner.id,
        Network.guest_type == "Isolated", Network.is_default.is_(True),
        Network.removed.is_(None)).order_by(Network.created).limit(1))


def default_network(ctx: CallContext, owner: Account, zone: Zone) -> Network | None:
    """The owner's default isolated network in an advanced zone, created when missing."""
    if zone.network_type != NetworkType.ADVANCED:
        return None
    session = ctx.session
    network = find_default_network(ctx, owner, zone)
    if network is not None:
        return network
    cidr = ipaddress.ip_network(zone.guest_cidr, strict=False)
    offering = session.scalar(select(NetworkOffering).where(
        NetworkOffering.guest_ip_type == "Virtual", NetworkOffering.is_default.is_(True),
        NetworkOffering.removed.is_(None)))
    network = Network(
        name=f"{owner.name}-network", display_text=f"{owner.name}'s isolated network",
        zone_id=zone.id, account_id=owner.id, domain_id=owner.domain_id,
        network_offering_id=offering.id if offering else None, guest_type="Isolated",
        isolation=str(zone.isolation_method), cidr=str(cidr),
        gateway=str(next(cidr.hosts())), netmask=str(cidr.netmask),
        network_domain=owner.network_domain or zone.network_domain)
    session.add(network)
    session.flush()
    network.vnet = take_vnet(ctx, zone, network)
    give_source_nat(ctx, network)
    return network


def give_source_nat(ctx: CallContext, network: Network) -> None:
    """A new isolated network's source NAT address (533 when every public address of the
    zone is taken); a zone with no public range at all gives its networks no outside
    access."""
    from appliance.services.network import public_ips

    if public_ips.has_public_range(ctx, network.zone_id):
        public_ips.ensure_source_nat(ctx, network)


def _mac() -> str:
    # Locally administered unicast (02:...), as CloudStack's guest MACs are.
    return "02:00:" + ":".join(f"{b:02x}" for b in secrets.token_bytes(4))


def _candidates(ctx: CallContext, network: Network) -> Iterator[tuple[str, str, str]]:
    """(address, netmask, gateway) a NIC on `network` may take, lowest first: the guest
    CIDR of an isolated network, the direct ranges (startip-endip) of a shared one."""
    if network.guest_type == "Isolated":
        for host in ipaddress.ip_network(network.cidr, strict=False).hosts():
            yield str(host), network.netmask, network.gateway
        return
    from appliance.services.network import networks

    for vlan_range in networks.ranges_of(ctx, network):
        first = int(ipaddress.IPv4Address(vlan_range.start_ip))
        last = int(ipaddress.IPv4Address(vlan_range.end_ip))
        for value in range(first, last + 1):
            yield str(ipaddress.IPv4Address(value)), vlan_range.netmask, vlan_range.gateway


def add_nic(ctx: CallContext, vm_id: str, network: Network, *, device_id: int = 0,
            is_default: bool = True) -> Nic:
    """A NIC on `network` with a fresh MAC and the lowest free guest address."""
    session = ctx.session
    used = set(session.scalars(select(Nic.ip_address).where(Nic.network_id == network.id)))
    used.add(network.gateway)
    used |= routers.router_addresses(ctx, network.id)
    for _ in range(ATTEMPTS):
        found = next((c for c in _candidates(ctx, network) if c[0] not in used), None)
        if found is None:
            where = network.cidr if network.guest_type == "Isolated" else "its IP ranges"
            raise InsufficientCapacity(f"Network {network.name} has no free address left "
                                       f"in {where}")
        address, netmask, gateway = found
        nic = Nic(vm_id=vm_id, network_id=network.id, mac=_mac(), ip_address=address,
                  netmask=netmask, gateway=gateway, device_id=device_id,
                  is_default=is_default)
        try:
            with session.begin_nested():
                session.add(nic)
        except IntegrityError:
            used.add(address)  # taken meanwhile (or the MAC was): try again
            continue
        return nic
    raise InsufficientCapacity(f"Could not allocate an address on network {network.name}")


def release_nics(ctx: CallContext, vm_id: str) -> None:
    """At expunge: the VM's addresses and MACs go back to the pool."""
    for nic in ctx.session.scalars(select(Nic).where(Nic.vm_id == vm_id)):
        ctx.session.delete(nic)


def nics_of(ctx: CallContext, vm_id: str) -> list[tuple[Nic, Network]]:
    return list(ctx.session.execute(
        select(Nic, Network).join(Network, Nic.network_id == Network.id)
        .where(Nic.vm_id == vm_id).order_by(Nic.device_id)).tuples())


def list_nics(ctx: CallContext, vm_id: str, *, nic_id: str | None = None,
              network_id: str | None = None, page: int | None = None,
              pagesize: int | None = None) -> Page[Nic]:
    """listNics: the NICs of a VM the caller may see, by device number."""
    from appliance.services.vms import lifecycle

    vm = lifecycle.get(ctx, vm_id)
    stmt = select(Nic).where(Nic.vm_id == vm.id).order_by(Nic.device_id)
    if nic_id is not None:
        stmt = stmt.where(Nic.id == nic_id)
    if network_id is not None:
        stmt = stmt.where(Nic.network_id == network_id)
    return paginate(ctx.session, stmt, page, pagesize)
