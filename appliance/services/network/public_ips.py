"""Public IP addresses of a zone's public ranges (seed §5): listing, associating one with
an account's isolated network, the network's source NAT address, and releasing.

An address is taken with one conditional UPDATE (state Free -> Allocated WHERE still
Free), so concurrent callers on any server never get the same one; rule changes on an
address lock its row (`lock_ip`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update

from appliance.errors import InsufficientCapacity, ParamError, PermissionDenied
from appliance.models import Account, Network, PublicIpAddress, VlanIpRange, Zone
from appliance.models.base import utcnow
from appliance.models.infra import NetworkType
from appliance.services import limits, tenancy
from appliance.services.context import CallContext
from appliance.services.limits import ResourceType
from appliance.services.network import changes, guest
from appliance.services.paging import Page, keyword_filter, paginate

FREE, ALLOCATED = "Free", "Allocated"
ATTEMPTS = 64


@dataclass(frozen=True)
class IpFilter:
    id: str | None = None
    address: str | None = None
    zone_id: str | None = None
    vlan_id: str | None = None
    network_id: str | None = None
    source_nat: bool | None = None
    allocated_only: bool = True
    keyword: str | None = None


def list_ips(ctx: CallContext, flt: IpFilter, *, owner: dict[str, object], page: int | None,
             pagesize: int | None) -> Page[PublicIpAddress]:
    """Allocated addresses the caller may see; free ones too for root admins who ask."""
    stmt = select(PublicIpAddress)
    if flt.allocated_only:
        stmt = stmt.where(PublicIpAddress.account_id.is_not(None))
        stmt = tenancy.scope(stmt, ctx, account_col=PublicIpAddress.account_id,
                             domain_col=PublicIpAddress.domain_id,
                             **owner)  # type: ignore[arg-type]
    elif not ctx.caller.is_root_admin:
        raise PermissionDenied("Only root admins may list unallocated public IP addresses")
    for column, value in ((PublicIpAddress.id, flt.id), (PublicIpAddress.address, flt.address),
                          (PublicIpAddress.zone_id, flt.zone_id),
                          (PublicIpAddress.vlan_range_id, flt.vlan_id),
                          (PublicIpAddress.network_id, flt.network_id),
                          (PublicIpAddress.is_source_nat, flt.source_nat)):
        if value is not None:
            stmt = stmt.where(column == value)
    stmt = keyword_filter(stmt, flt.keyword, PublicIpAddress.address)
    return paginate(ctx.session, stmt.order_by(PublicIpAddress.zone_id,
                                               PublicIpAddress.address_int), page, pagesize)


def get_ip(ctx: CallContext, ip_id: str) -> PublicIpAddress:
    """An allocated address the caller may act on (431 unknown or free, 531 another's)."""
    ip = ctx.session.get(PublicIpAddress, ip_id)
    if ip is None or ip.account_id is None or ip.state != ALLOCATED:
        raise ParamError(f"Unable to find an allocated public IP address with id {ip_id}")
    return tenancy.get_owned(ctx, PublicIpAddress, ip_id, what="public IP address")


def lock_ip(ctx: CallContext, ip_id: str) -> PublicIpAddress:
    """The caller's address, row-locked until the transaction ends: rule changes on one IP
    (conflict checks, static NAT) serialize here, whichever server runs them."""
    get_ip(ctx, ip_id)
    ip = ctx.session.scalar(select(PublicIpAddress).where(PublicIpAddress.id == ip_id)
                            .with_for_update().execution_options(populate_existing=True))
    if ip is None or ip.state != ALLOCATED:
        raise ParamError(f"Public IP address {ip_id} was released meanwhile")
    return ip


def _take_free(ctx: CallContext, zone: Zone, owner: Account, network: Network, *,
               source_nat: bool) -> PublicIpAddress:
    """The lowest Free address of the zone's public ranges (shared or dedicated to the
    owner), taken with a conditional UPDATE so two callers never get the same one."""
    session = ctx.session
    tried: set[str] = set()
    for _ in range(ATTEMPTS):
        stmt = (select(PublicIpAddress.id)
                .join(VlanIpRange, PublicIpAddress.vlan_range_id == VlanIpRange.id)
                .where(PublicIpAddress.zone_id == zone.id, PublicIpAddress.state == FREE,
                       VlanIpRange.for_virtual_network.is_(True),
                       or_(VlanIpRange.account_id.is_(None),
                           VlanIpRange.account_id == owner.id))
                .order_by(PublicIpAddress.address_int).limit(ATTEMPTS))
        candidates = [ip_id for ip_id in session.scalars(stmt) if ip_id not in tried]
        if not candidates:
            break
        for ip_id in candidates:
            tried.add(ip_id)
            taken = session.execute(
                update(PublicIpAddress)
                .where(PublicIpAddress.id == ip_id, PublicIpAddress.state == FREE)
                .values(state=ALLOCATED, account_id=owner.id, domain_id=owner.domain_id,
                        network_id=network.id, is_source_nat=source_nat, allocated=utcnow())
                .execution_options(synchronize_session=False))
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                ip = session.get(PublicIpAddress, ip_id, populate_existing=True)
                assert ip is not None
                return ip
    raise InsufficientCapacity(f"Zone {zone.name} has no free public IP address left")


def has_public_range(ctx: CallContext, zone_id: str) -> bool:
    """Whether the zone has any public (virtual network) range."""
    return ctx.session.scalar(select(VlanIpRange.id).where(
        VlanIpRange.zone_id == zone_id, VlanIpRange.for_virtual_network.is_(True))
        .limit(1)) is not None


def ensure_source_nat(ctx: CallContext, network: Network) -> PublicIpAddress:
    """The source NAT address of an isolated network: its first public IP, taken (and
    counted against the owner's public IP limit, as CloudStack does) when missing."""
    session = ctx.session
    existing = session.scalar(select(PublicIpAddress).where(
        PublicIpAddress.network_id == network.id, PublicIpAddress.is_source_nat.is_(True),
        PublicIpAddress.state == ALLOCATED))
    if existing is not None:
        return existing
    if network.account_id is None:
        raise ParamError(f"Network {network.name} has no owner to take a source NAT IP for")
    owner = session.get(Account, network.account_id)
    zone = session.get(Zone, network.zone_id)
    assert owner is not None and zone is not None
    limits.reserve(session, owner, ResourceType.PUBLIC_IP)
    ip = _take_free(ctx, zone, owner, network, source_nat=True)
    changes.network_changed(ctx, network.id, f"source NAT IP {ip.address}")
    return ip


def _target_network(ctx: CallContext, *, zone_id: str | None, network_id: str | None,
                    account: str | None, domain_id: str | None) -> tuple[Network, Account]:
    session = ctx.session
    owner = tenancy.find_account(ctx, account, domain_id) if account else ctx.caller.account
    if network_id is not None:
        network = session.get(Network, network_id)
        if network is None or network.removed is not None:
            raise ParamError(f"Unable to find network with id {network_id}")
        if network.guest_type != "Isolated" or network.account_id is None:
            raise ParamError(f"Network {network.name} is not an isolated network: public "
                             "IP addresses are associated with isolated networks")
        tenancy.check_owner(ctx, network.account_id, network.domain_id or "",
                            what=f"network {network_id}")
        if account is not None and owner.id != network.account_id:
            raise ParamError(f"Network {network.name} does not belong to account {account}")
        network_owner = session.get(Account, network.account_id)
        assert network_owner is not None
        return network, network_owner
    if zone_id is None:
        raise ParamError("Either zoneid or networkid must be specified")
    zone = session.get(Zone, zone_id)
    if zone is None:
        raise ParamError(f"Unable to find zone with id {zone_id}")
    if zone.network_type != NetworkType.ADVANCED:
        raise ParamError(f"Zone {zone.name} is a basic zone: it has no public IP addresses "
                         "to associate")
    tenancy.check_zone_use(ctx, zone, owner)
    found = guest.default_network(ctx, owner, zone)
    assert found is not None
    return found, owner


def associate(ctx: CallContext, *, zone_id: str | None, network_id: str | None,
              account: str | None, domain_id: str | None) -> PublicIpAddress:
    """Allocate the lowest free public address of the zone to the network's owner."""
    network, owner = _target_network(ctx, zone_id=zone_id, network_id=network_id,
                                     account=account, domain_id=domain_id)
    zone = ctx.session.get(Zone, network.zone_id)
    assert zone is not None
    # A network made without one (createNetwork) gets its source NAT IP first.
    has_source_nat = ctx.session.scalar(select(PublicIpAddress.id).where(
        PublicIpAddress.network_id == network.id, PublicIpAddress.is_source_nat.is_(True),
        PublicIpAddress.state == ALLOCATED).limit(1)) is not None
    limits.reserve(ctx.session, owner, ResourceType.PUBLIC_IP)
    ip = _take_free(ctx, zone, owner, network, source_nat=not has_source_nat)
    changes.network_changed(ctx, network.id, f"public IP {ip.address} associated")
    return ip


def check_releasable(ctx: CallContext, ip_id: str) -> PublicIpAddress:
    ip = get_ip(ctx, ip_id)
    if ip.is_source_nat:
        raise ParamError(f"IP address {ip.address} is the source NAT address of its network "
                         "and cannot be released")
    return ip


def disassociate(ctx: CallContext, ip_id: str) -> str | None:
    """Release an address: its rules go, the limit is given back, it becomes Free; the
    network whose router must drop it."""
    check_releasable(ctx, ip_id)
    ip = lock_ip(ctx, ip_id)
    network_id = ip.network_id
    _release(ctx, ip)
    return network_id


def release_network_ips(ctx: CallContext, network_id: str) -> None:
    """Every address of a network goes back to the pool (source NAT included): for the
    network's deletion."""
    for ip in ctx.session.scalars(select(PublicIpAddress).where(
            PublicIpAddress.network_id == network_id, PublicIpAddress.state == ALLOCATED)
            .with_for_update()):
        _release(ctx, ip)


def release_account_ips(ctx: CallContext, account_id: str) -> set[str]:
    """deleteAccount, after its networks went (with their addresses): any address still
    allocated to the account goes back to the pool, source NAT ones too; the networks
    whose routers must drop them."""
    changed: set[str] = set()
    for ip in ctx.session.scalars(select(PublicIpAddress).where(
            PublicIpAddress.account_id == account_id, PublicIpAddress.state == ALLOCATED)
            .with_for_update()):
        if ip.network_id is not None:
            changed.add(ip.network_id)
        _release(ctx, ip)
    return changed


def _release(ctx: CallContext, ip: PublicIpAddress) -> None:
    from appliance.services.network import rules, vpn

    session = ctx.session
    vpn.delete_of_ip(ctx, ip.id)
    rules.delete_rules_of_ip(ctx, ip)
    owner = session.get(Account, ip.account_id) if ip.account_id else None
    if owner is not None:
        limits.release(session, owner, ResourceType.PUBLIC_IP)
    network_id = ip.network_id
    ip.state, ip.account_id, ip.domain_id = FREE, None, None
    ip.network_id, ip.is_source_nat, ip.allocated = None, False, None
    session.flush()
    changes.network_changed(ctx, network_id, f"public IP {ip.address} released")
