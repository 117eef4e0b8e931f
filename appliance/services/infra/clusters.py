"""Clusters (seed §4.3): hosts of one hypervisor type that share primary storage."""

from __future__ import annotations

from sqlalchemy import exists, select

from appliance.errors import ParamError, ResourceInUse
from appliance.models import Cluster, Host, Pod, StoragePool
from appliance.models.base import utcnow
from appliance.models.infra import AllocationState, HypervisorType
from appliance.services import infra
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate

CLUSTER_TYPES = ("CloudManaged", "ExternalManaged")
MANAGED_STATES = ("Managed", "Unmanaged")
LIBVIRT_DOMAIN_TYPES = ("kvm", "qemu", "lxc")


def hypervisor_type(value: str) -> HypervisorType:
    """A known hypervisor type, case-insensitive (431 otherwise)."""
    for kind in HypervisorType:
        if kind.value.lower() == value.strip().lower():
            return kind
    raise ParamError(f"Invalid hypervisor type {value!r}: expected one of "
                     f"{', '.join(k.value for k in HypervisorType)}")


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    for option in allowed:
        if option.lower() == value.strip().lower():
            return option
    raise ParamError(f"Invalid {what} {value!r}: expected one of {', '.join(allowed)}")


def _domain_type(hypervisor: HypervisorType, value: str | None) -> str | None:
    """The libvirt domain type of a KVM (kvm default, qemu, lxc) or LXC (lxc) cluster."""
    if hypervisor == HypervisorType.KVM:
        return _choice(value, LIBVIRT_DOMAIN_TYPES, "libvirtdomaintype") if value else "kvm"
    if hypervisor == HypervisorType.LXC:
        if value and value.strip().lower() != "lxc":
            raise ParamError("An LXC cluster's libvirt domain type can only be lxc")
        return "lxc"
    if value:
        raise ParamError(f"libvirtdomaintype only applies to KVM and LXC clusters, "
                         f"not {hypervisor}")
    return None


def _check_name(ctx: CallContext, pod: Pod, name: str, cluster_id: str | None = None) -> str:
    name = name.strip()
    if not name:
        raise ParamError("Cluster name must not be empty")
    other = ctx.session.scalar(select(Cluster.id).where(
        Cluster.pod_id == pod.id, Cluster.name == name, Cluster.removed.is_(None)))
    if other is not None and other != cluster_id:
        raise ParamError(f"A cluster with name {name} already exists in pod {pod.name}")
    return name


def add(ctx: CallContext, *, zone_id: str, pod_id: str, name: str, hypervisor: str,
        cluster_type: str | None, libvirt_domain_type: str | None,
        allocation_state: str | None) -> Cluster:
    infra.require_root(ctx, "add clusters")
    zone = infra.zone(ctx, zone_id)
    pod = infra.pod(ctx, pod_id, zone.id)
    kind = hypervisor_type(hypervisor)
    cluster = Cluster(
        zone_id=zone.id, pod_id=pod.id, name=_check_name(ctx, pod, name), hypervisor=kind,
        cluster_type=_choice(cluster_type, CLUSTER_TYPES, "clustertype")
        if cluster_type else "CloudManaged",
        libvirt_domain_type=_domain_type(kind, libvirt_domain_type),
        allocation_state=infra.allocation_state(allocation_state) or AllocationState.ENABLED,
    )
    ctx.session.add(cluster)
    ctx.session.flush()
    return cluster


def update(ctx: CallContext, cluster: Cluster, *, name: str | None,
           allocation_state: str | None, managed_state: str | None,
           cluster_type: str | None, hypervisor: str | None,
           libvirt_domain_type: str | None) -> Cluster:
    infra.require_root(ctx, "update clusters")
    if hypervisor is not None and hypervisor_type(hypervisor) != cluster.hypervisor:
        raise ParamError(f"The hypervisor type of cluster {cluster.name} "
                         f"({cluster.hypervisor}) cannot be changed")
    if name is not None:
        cluster.name = _check_name(ctx, cluster.pod, name, cluster.id)
    state = infra.allocation_state(allocation_state)
    if state is not None:
        cluster.allocation_state = state
    if managed_state is not None:
        cluster.managed_state = _choice(managed_state, MANAGED_STATES, "managedstate")
    if cluster_type is not None:
        cluster.cluster_type = _choice(cluster_type, CLUSTER_TYPES, "clustertype")
    if libvirt_domain_type is not None:
        cluster.libvirt_domain_type = _domain_type(HypervisorType(cluster.hypervisor),
                                                   libvirt_domain_type)
    return cluster


def delete(ctx: CallContext, cluster: Cluster) -> None:
    infra.require_root(ctx, "delete clusters")
    if ctx.session.scalar(select(exists().where(Host.cluster_id == cluster.id,
                                                Host.removed.is_(None)))):
        raise ResourceInUse(f"Cluster {cluster.name} cannot be deleted: it still has hosts")
    if ctx.session.scalar(select(exists().where(StoragePool.cluster_id == cluster.id,
                                                StoragePool.removed.is_(None)))):
        raise ResourceInUse(f"Cluster {cluster.name} cannot be deleted: it still has "
                            "primary storage")
    cluster.removed = utcnow()


def list_clusters(ctx: CallContext, *, cluster_id: str | None, name: str | None,
                  zone_id: str | None, pod_id: str | None, hypervisor: str | None,
                  cluster_type: str | None, allocation_state: str | None,
                  managed_state: str | None, keyword: str | None, page: int | None,
                  pagesize: int | None) -> Page[Cluster]:
    infra.require_root(ctx, "list clusters")
    stmt = select(Cluster).where(Cluster.removed.is_(None)).order_by(Cluster.created,
                                                                      Cluster.id)
    if cluster_id is not None:
        stmt = stmt.where(Cluster.id == cluster_id)
    if name is not None:
        stmt = stmt.where(Cluster.name == name)
    if zone_id is not None:
        stmt = stmt.where(Cluster.zone_id == zone_id)
    if pod_id is not None:
        stmt = stmt.where(Cluster.pod_id == pod_id)
    if hypervisor is not None:
        stmt = stmt.where(Cluster.hypervisor == hypervisor_type(hypervisor))
    if cluster_type is not None:
        stmt = stmt.where(Cluster.cluster_type == _choice(cluster_type, CLUSTER_TYPES,
                                                          "clustertype"))
    state = infra.allocation_state(allocation_state)
    if state is not None:
        stmt = stmt.where(Cluster.allocation_state == state)
    if managed_state is not None:
        stmt = stmt.where(Cluster.managed_state == _choice(managed_state, MANAGED_STATES,
                                                           "managedstate"))
    stmt = keyword_filter(stmt, keyword, Cluster.name)
    return paginate(ctx.session, stmt, page, pagesize)
