"""Wire shapes of zones, pods, clusters, hosts, storage, public ranges, capacity, faults."""

from __future__ import annotations

from typing import Any

from appliance.api.responses import ResponseSpec, drop_none, wire_date
from appliance.models import (
    Cluster,
    Domain,
    Host,
    ImageStore,
    OsCategory,
    Pod,
    StoragePool,
    VlanIpRange,
    Zone,
)
from appliance.models.infra import StoragePoolType
from appliance.models.simulator import SimulatorFault
from appliance.services import configuration
from appliance.services.context import CallContext
from appliance.services.infra import capacity
from appliance.services.infra.capacity import CapacityView
from appliance.services.storage import secondary


def _factor(ctx: CallContext, name: str) -> float:
    key = f"config:{name}"
    if key not in ctx.cache:
        ctx.cache[key] = float(configuration.get(ctx.session, name))
    value: float = ctx.cache[key]  # type: ignore[assignment]
    return value


def _capacities(target: Zone | Pod | Cluster, ctx: CallContext) -> list[dict[str, Any]] | None:
    if not ctx.cache.get("showcapacities"):
        return None
    return [render_capacity(entry, ctx) for entry in capacity.of(ctx, target)]


def render_capacity(entry: CapacityView, ctx: CallContext) -> dict[str, Any]:
    return drop_none({
        "type": entry.type,
        "zoneid": entry.zone.id,
        "zonename": entry.zone.name,
        "podid": entry.pod.id if entry.pod else None,
        "podname": entry.pod.name if entry.pod else None,
        "clusterid": entry.cluster.id if entry.cluster else None,
        "clustername": entry.cluster.name if entry.cluster else None,
        "capacitytotal": entry.total,
        "capacityused": entry.used,
        "percentused": entry.percent_used,
    })


CAPACITY = ResponseSpec("capacity", (
    ("type", "the capacity type: 0 memory, 1 CPU, 2 storage, 3 storage allocated, "
             "4 public IPs, 5 private IPs, 6 secondary storage, 8 direct IPs, 9 local storage"),
    ("zoneid", "the Zone ID"), ("zonename", "the Zone name"), ("podid", "the Pod ID"),
    ("podname", "the Pod name"), ("clusterid", "the Cluster ID"),
    ("clustername", "the Cluster name"), ("capacitytotal", "the total capacity available"),
    ("capacityused", "the capacity currently in use"),
    ("percentused", "the percentage of capacity currently in use"),
), render_capacity)


def render_zone(zone: Zone, ctx: CallContext) -> dict[str, Any]:
    admin = ctx.caller.is_root_admin
    domain = ctx.session.get(Domain, zone.domain_id) if zone.domain_id else None
    return drop_none({
        "id": zone.id,
        "name": zone.name,
        "description": zone.description,
        "dns1": zone.dns1,
        "dns2": zone.dns2,
        "internaldns1": zone.internal_dns1 if admin else None,
        "internaldns2": zone.internal_dns2 if admin else None,
        "guestcidraddress": zone.guest_cidr,
        "vlan": zone.vlan_range if admin else None,
        "isolationmethod": str(zone.isolation_method) if admin else None,
        "networktype": str(zone.network_type),
        "securitygroupsenabled": zone.security_group_enabled,
        "allocationstate": str(zone.allocation_state),
        "localstorageenabled": zone.local_storage_enabled,
        "domain": zone.network_domain,
        "domainid": domain.id if domain else None,
        "domainname": domain.name if domain else None,
        "dhcpprovider": "VirtualRouter",
        "capacity": _capacities(zone, ctx),
    })


ZONE = ResponseSpec("zone", (
    ("id", "Zone id"), ("name", "Zone name"), ("description", "Zone description"),
    ("dns1", "the first DNS for the Zone"), ("dns2", "the second DNS for the Zone"),
    ("internaldns1", "the first internal DNS for the Zone"),
    ("internaldns2", "the second internal DNS for the Zone"),
    ("guestcidraddress", "the guest CIDR address for the Zone"),
    ("vlan", "the guest VLAN (or VXLAN VNI) range of the zone"),
    ("isolationmethod", "guest isolation of the zone: vlan or vxlan (Cirrus)"),
    ("networktype", "the network type of the zone; can be Basic or Advanced"),
    ("securitygroupsenabled", "true if security groups support is enabled"),
    ("allocationstate", "the allocation state of the zone"),
    ("localstorageenabled", "true if local storage offering enabled"),
    ("domain", "Network domain name for the networks in the zone"),
    ("domainid", "the UUID of the containing domain, null for public zones"),
    ("domainname", "the name of the containing domain, null for public zones"),
    ("dhcpprovider", "the dhcp Provider for the Zone"),
    ("capacity", "the capacity of the Zone (with showcapacities)"),
), render_zone)


def render_pod(pod: Pod, ctx: CallContext) -> dict[str, Any]:
    return drop_none({
        "id": pod.id,
        "name": pod.name,
        "zoneid": pod.zone_id,
        "zonename": pod.zone.name,
        "gateway": pod.gateway,
        "netmask": pod.netmask,
        "startip": pod.start_ip,
        "endip": pod.end_ip,
        "allocationstate": str(pod.allocation_state),
        "capacity": _capacities(pod, ctx),
    })


POD = ResponseSpec("pod", (
    ("id", "the ID of the Pod"), ("name", "the name of the Pod"),
    ("zoneid", "the Zone ID of the Pod"), ("zonename", "the Zone name of the Pod"),
    ("gateway", "the gateway of the Pod"), ("netmask", "the netmask of the Pod"),
    ("startip", "the starting IP for the Pod"), ("endip", "the ending IP for the Pod"),
    ("allocationstate", "the allocation state of the Pod"),
    ("capacity", "the capacity of the Pod (with showcapacities)"),
), render_pod)


def render_cluster(cluster: Cluster, ctx: CallContext) -> dict[str, Any]:
    return drop_none({
        "id": cluster.id,
        "name": cluster.name,
        "podid": cluster.pod_id,
        "podname": cluster.pod.name,
        "zoneid": cluster.zone_id,
        "zonename": cluster.zone.name,
        "hypervisortype": str(cluster.hypervisor),
        "clustertype": cluster.cluster_type,
        "allocationstate": str(cluster.allocation_state),
        "managedstate": cluster.managed_state,
        "libvirtdomaintype": cluster.libvirt_domain_type,
        "cpuovercommitratio": str(_factor(ctx, "cpu.overprovisioning.factor")),
        "memoryovercommitratio": str(_factor(ctx, "mem.overprovisioning.factor")),
        "capacity": _capacities(cluster, ctx),
    })


CLUSTER = ResponseSpec("cluster", (
    ("id", "the cluster ID"), ("name", "the cluster name"), ("podid", "the Pod ID"),
    ("podname", "the Pod name"), ("zoneid", "the Zone ID"), ("zonename", "the Zone name"),
    ("hypervisortype", "the hypervisor type of the cluster"),
    ("clustertype", "the type of the cluster"),
    ("allocationstate", "the allocation state of the cluster"),
    ("managedstate", "whether this cluster is managed by CloudStack"),
    ("libvirtdomaintype", "libvirt domain type of a KVM cluster: kvm, qemu or lxc (Cirrus)"),
    ("cpuovercommitratio", "the cpu overcommit ratio of the cluster"),
    ("memoryovercommitratio", "the memory overcommit ratio of the cluster"),
    ("capacity", "the capacity of the Cluster (with showcapacities)"),
), render_cluster)


def _render_store_as_host(store: ImageStore, ctx: CallContext) -> dict[str, Any]:
    zone = ctx.session.get(Zone, store.zone_id) if store.zone_id else None
    return drop_none({
        "id": store.id,
        "name": store.name,
        "type": "SecondaryStorage",
        "state": secondary.state(store),
        "zoneid": store.zone_id,
        "zonename": zone.name if zone else None,
        "disksizetotal": store.capacity_bytes,
        "disksizeallocated": store.used_bytes,
        "resourcestate": "Enabled",
        "created": wire_date(store.created),
    })


def render_host(host: Host | ImageStore, ctx: CallContext) -> dict[str, Any]:
    if isinstance(host, ImageStore):
        return _render_store_as_host(host, ctx)
    cpu_factor = _factor(ctx, "cpu.overprovisioning.factor")
    category = ctx.session.get(OsCategory, host.os_category_id) if host.os_category_id \
        else None
    cluster = host.cluster
    return drop_none({
        "id": host.id,
        "name": host.name,
        "state": str(host.status),
        "type": host.type,
        "ipaddress": host.ip_address,
        "zoneid": host.zone_id,
        "zonename": host.zone.name,
        "podid": host.pod_id,
        "podname": host.pod.name,
        "clusterid": host.cluster_id,
        "clustername": cluster.name,
        "clustertype": cluster.cluster_type,
        "hypervisor": str(host.hypervisor),
        "version": host.version,
        "capabilities": host.capabilities,
        "cpunumber": host.cpu_count,
        "cpuspeed": host.cpu_speed_mhz,
        "cpuallocated": capacity.percent(host.cpu_used_mhz,
                                         host.cpu_total_mhz * cpu_factor) + "%",
        "cpuwithoverprovisioning": str(host.cpu_total_mhz * cpu_factor),
        "memorytotal": host.memory,
        "memoryallocated": host.memory_used,
        "memoryused": host.memory_used,
        "hosttags": host.host_tags,
        "oscategoryid": category.id if category else None,
        "oscategoryname": category.name if category else None,
        "lastpinged": wire_date(host.last_heartbeat),
        "disconnected": wire_date(host.disconnected),
        "created": wire_date(host.created),
        "removed": wire_date(host.removed),
        "resourcestate": str(host.resource_state),
        "islocalstorageactive": host.zone.local_storage_enabled,
    })


HOST = ResponseSpec("host", (
    ("id", "the ID of the host"), ("name", "the name of the host"),
    ("state", "the state of the host: Up, Connecting, Disconnected, Down, Alert"),
    ("type", "the host type: Routing (hypervisor) or SecondaryStorage"),
    ("ipaddress", "the IP address of the host"), ("zoneid", "the Zone ID of the host"),
    ("zonename", "the Zone name of the host"), ("podid", "the Pod ID of the host"),
    ("podname", "the Pod name of the host"), ("clusterid", "the cluster ID of the host"),
    ("clustername", "the cluster name of the host"),
    ("clustertype", "the cluster type of the cluster that host belongs to"),
    ("hypervisor", "the host hypervisor"), ("version", "the host version"),
    ("capabilities", "capabilities of the host"), ("cpunumber", "the CPU number of the host"),
    ("cpuspeed", "the CPU speed of the host in MHz"),
    ("cpuallocated", "the amount of the host's CPU currently allocated, as a percentage"),
    ("cpuwithoverprovisioning", "the host's CPU capacity in MHz with overprovisioning"),
    ("memorytotal", "the memory total of the host in bytes"),
    ("memoryallocated", "the host's memory currently allocated in bytes"),
    ("memoryused", "the host's memory currently used in bytes"),
    ("hosttags", "comma-separated list of tags for the host"),
    ("oscategoryid", "the OS category ID of the host"),
    ("oscategoryname", "the OS category name of the host"),
    ("lastpinged", "the date and time the host was last pinged"),
    ("disconnected", "the date and time the host was disconnected"),
    ("created", "the date and time the host was created"),
    ("removed", "the date and time the host was removed"),
    ("resourcestate", "the resource state of the host"),
    ("islocalstorageactive", "true if local storage is active"),
    ("disksizetotal", "the total disk size (secondary storage)"),
    ("disksizeallocated", "the allocated disk size (secondary storage)"),
), render_host)


def render_storage_pool(pool: StoragePool, ctx: CallContext) -> dict[str, Any]:
    cluster = ctx.session.get(Cluster, pool.cluster_id) if pool.cluster_id else None
    pod = ctx.session.get(Pod, pool.pod_id) if pool.pod_id else None
    return drop_none({
        "id": pool.id,
        "name": pool.name,
        "zoneid": pool.zone_id,
        "zonename": pool.zone.name,
        "podid": pool.pod_id,
        "podname": pod.name if pod else None,
        "clusterid": pool.cluster_id,
        "clustername": cluster.name if cluster else None,
        "ipaddress": pool.server,
        "path": pool.path,
        "type": str(pool.pool_type),
        "scope": str(pool.scope),
        "hypervisor": pool.hypervisor,
        "disksizetotal": pool.capacity_bytes,
        "disksizeallocated": pool.allocated_bytes,
        "disksizeused": pool.used_bytes,
        "overprovisionfactor": str(_factor(ctx, "storage.overprovisioning.factor")
                                   if pool.pool_type == StoragePoolType.NFS else 1.0),
        "tags": pool.tags,
        "state": str(pool.state),
        "created": wire_date(pool.created),
    })


STORAGE_POOL = ResponseSpec("storagepool", (
    ("id", "the ID of the storage pool"), ("name", "the name of the storage pool"),
    ("zoneid", "the Zone ID of the storage pool"),
    ("zonename", "the Zone name of the storage pool"),
    ("podid", "the Pod ID of the storage pool"), ("podname", "the Pod name of the storage pool"),
    ("clusterid", "the ID of the cluster for the storage pool"),
    ("clustername", "the name of the cluster for the storage pool"),
    ("ipaddress", "the IP address of the storage pool"),
    ("path", "the storage pool path"), ("type", "the storage pool type"),
    ("scope", "the scope of the storage pool"),
    ("hypervisor", "the hypervisor type of the storage pool"),
    ("disksizetotal", "the total disk size of the storage pool"),
    ("disksizeallocated", "the host's currently allocated disk size"),
    ("disksizeused", "the host's currently used disk size"),
    ("overprovisionfactor", "the overprovision factor of allocations on the storage pool "
                            "(storage.overprovisioning.factor on NFS, else 1)"),
    ("tags", "the tags for the storage pool"),
    ("state", "the state of the storage pool: Up, Disabled, PrepareForMaintenance, "
              "Maintenance, CancelMaintenance or ErrorInMaintenance"),
    ("created", "the date and time the storage pool was created"),
), render_storage_pool)


def render_image_store(store: ImageStore, ctx: CallContext) -> dict[str, Any]:
    zone = ctx.session.get(Zone, store.zone_id) if store.zone_id else None
    return drop_none({
        "id": store.id,
        "name": store.name,
        "zoneid": store.zone_id,
        "zonename": zone.name if zone else None,
        "url": store.url,
        "protocol": store.protocol,
        "providername": store.provider,
        "scope": "ZONE" if store.zone_id else "REGION",
        "readonly": False,
        "state": secondary.state(store),
        "disksizetotal": store.capacity_bytes,
        "disksizeused": store.used_bytes,
    })


_IMAGE_STORE_FIELDS = (
    ("id", "the ID of the image store"), ("name", "the name of the image store"),
    ("zoneid", "the Zone ID of the image store"),
    ("zonename", "the Zone name of the image store"), ("url", "the url of the image store"),
    ("protocol", "the protocol of the image store"),
    ("providername", "the provider name of the image store"),
    ("scope", "the scope of the image store"),
    ("readonly", "defines if store is read-only"),
    ("state", "Up while the management server can reach the store, else Down (Cirrus; "
              "CloudStack shows it as the secondary storage host's state)"),
    ("disksizetotal", "the total disk size of the host"),
    ("disksizeused", "the host's currently used disk size"),
)
IMAGE_STORE = ResponseSpec("imagestore", _IMAGE_STORE_FIELDS, render_image_store)
SECONDARY_STORAGE = ResponseSpec("secondarystorage", _IMAGE_STORE_FIELDS, render_image_store)


def render_vlan(vlan: VlanIpRange, ctx: CallContext) -> dict[str, Any]:
    from appliance.models import Account

    account = ctx.session.get(Account, vlan.account_id) if vlan.account_id else None
    domain = ctx.session.get(Domain, vlan.domain_id) if vlan.domain_id else None
    pod = ctx.session.get(Pod, vlan.pod_id) if vlan.pod_id else None
    return drop_none({
        "id": vlan.id,
        "forvirtualnetwork": vlan.for_virtual_network,
        "zoneid": vlan.zone_id,
        "vlan": vlan.vlan,
        "account": account.name if account else None,
        "domainid": domain.id if domain else None,
        "domain": domain.name if domain else None,
        "podid": vlan.pod_id,
        "podname": pod.name if pod else None,
        "gateway": vlan.gateway,
        "netmask": vlan.netmask,
        "description": f"{vlan.start_ip}-{vlan.end_ip}",
        "startip": vlan.start_ip,
        "endip": vlan.end_ip,
        "networkid": vlan.network_id,
    })


_VLAN_FIELDS = (
    ("id", "the ID of the VLAN IP range"),
    ("forvirtualnetwork", "the virtual network for the VLAN IP range"),
    ("zoneid", "the Zone ID of the VLAN IP range"), ("vlan", "the ID or VID of the VLAN"),
    ("account", "the account of the VLAN IP range"),
    ("domainid", "the domain ID of the VLAN IP range"),
    ("domain", "the domain name of the VLAN IP range"),
    ("podid", "the Pod ID for the VLAN IP range"),
    ("podname", "the Pod name for the VLAN IP range"),
    ("gateway", "the gateway of the VLAN IP range"),
    ("netmask", "the netmask of the VLAN IP range"),
    ("description", "the description of the VLAN IP range"),
    ("startip", "the start ip of the VLAN IP range"),
    ("endip", "the end ip of the VLAN IP range"),
    ("networkid", "the network id of vlan range"),
)
# createVlanIpRange answers a `vlan`; listVlanIpRanges lists `vlaniprange` items (as
# CloudStack does; ngine_io.cloudstack's cs_vlan_ip_range reads that key).
VLAN = ResponseSpec("vlan", _VLAN_FIELDS, render_vlan)
VLAN_IP_RANGE = ResponseSpec("vlaniprange", _VLAN_FIELDS, render_vlan)


def render_hypervisor(name: str, ctx: CallContext) -> dict[str, Any]:
    return {"name": name}


HYPERVISOR = ResponseSpec("hypervisor", (("name", "Hypervisor name"),), render_hypervisor)


def render_fault(fault: SimulatorFault, ctx: CallContext) -> dict[str, Any]:
    return drop_none({
        "id": fault.id,
        "hostid": fault.host_id,
        "instancename": fault.instance_name,
        "operation": fault.operation,
        "action": fault.action,
        "seconds": fault.hang_seconds if fault.action == "hang" else None,
        "count": fault.remaining,
        "message": fault.message,
        "created": wire_date(fault.created),
    })


SIMULATOR_FAULT = ResponseSpec("simulatorfault", (
    ("id", "the ID of the fault"), ("hostid", "the simulated host it applies to"),
    ("instancename", "the VM instance name it applies to"),
    ("operation", "the driver operation it applies to (* for all)"),
    ("action", "fail or hang"), ("seconds", "how long a hang lasts"),
    ("count", "how many more times it applies; -1 until deleted"),
    ("message", "the error text of a failure"),
    ("created", "when the fault was configured"),
), render_fault)
