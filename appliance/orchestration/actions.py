"""The registry of orchestration actions that run a playbook: which hosts, which variables.

Each `Action` names its playbook (playbooks/<name>.yml) and two functions of the call
context and the action's parameters (a flat mapping of strings, as an API map gives it):
`hosts_from` (ids of the database hosts to run against) and `extra_vars`. The variable
names are the contract with the roles:

- host_add, host_remove: none beyond the inventory (each host's `cirrus_*` host vars).
  host_add reports detected capacity with `ansible.builtin.set_stats` (per_host: true),
  data `{cirrus_host_facts: {cpu_count, cpu_speed_mhz, memory_bytes, ...}}`, read back
  from `RunResult.host_stats[<host id>]`.
- network_ensure, network_release: `guest_networks`: a list of
  `{bridge: "brvx-<vni>" | "br<dev>-<vlan>", isolation: "vxlan" | "vlan",
  vni | vlan: int, physical_dev: "eth0", mtu: int | None}`.
- storage_pool_add, storage_pool_remove: `storage_pool`:
  `{id, name, type: NetworkFilesystem | SharedMountPoint | Filesystem, server, path,
  mount_point: "/mnt/cirrus/<id>"}`.

Parameters (keys of the mapping): `hostids` (comma list) on every action restricts or
names the hosts; `networkid`, or `isolation` + `vnet` (+ `physicaldev`, `mtu`) for the
network actions; `storageid` for the storage actions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from appliance import automation
from appliance.automation.results import RunResult
from appliance.errors import ParamError
from appliance.models import Host, Network, StoragePool
from appliance.models.infra import StorageScope
from appliance.models.network import bridge_name
from appliance.services.context import CallContext

Params = Mapping[str, Any]
DEFAULT_PHYSICAL_DEV = "eth0"
STORAGE_MOUNT_ROOT = "/mnt/cirrus"


@dataclass(frozen=True)
class Action:
    name: str
    playbook: str
    hosts_from: Callable[[CallContext, Params], list[str]]
    extra_vars: Callable[[CallContext, Params], dict[str, Any]]
    doc: str = ""


def param_map(entries: Any) -> dict[str, Any]:
    """An API map (`parameters[0].key=k&parameters[0].value=v`, or `details[0].k=v`) as a
    flat dict; a dict is taken as it is."""
    if entries is None:
        return {}
    if isinstance(entries, Mapping):
        return dict(entries)
    out: dict[str, Any] = {}
    for entry in entries:
        if "key" in entry and set(entry) <= {"key", "value"}:
            out[str(entry["key"]).lower()] = entry.get("value")
        else:
            out.update({str(k).lower(): v for k, v in entry.items()})
    return out


def _ids(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _live_hosts(ctx: CallContext, *where: Any) -> list[str]:
    stmt = (select(Host.id).where(Host.type == "Routing", Host.removed.is_(None), *where)
            .order_by(Host.id))
    return list(ctx.session.scalars(stmt))


def _named_hosts(ctx: CallContext, params: Params) -> list[str]:
    ids = _ids(params.get("hostids") or params.get("hostid"))
    if not ids:
        raise ParamError("hostids is required for this action")
    known = set(_live_hosts(ctx, Host.id.in_(ids)))
    for host_id in ids:
        if host_id not in known:
            raise ParamError(f"host {host_id} not found")
    return ids


def _no_vars(ctx: CallContext, params: Params) -> dict[str, Any]:
    return {}


# -- networks ----------------------------------------------------------------------------

def _int(params: Params, name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ParamError(f"parameter {name} must be an integer, not {value!r}") from None


def guest_network_var(isolation: str, vnet: int, *, physical_dev: str = DEFAULT_PHYSICAL_DEV,
                      mtu: int | None = None) -> dict[str, Any]:
    """One entry of `guest_networks`: CloudStack KVM's bridge names (brvx-<vni>,
    br<dev>-<vlan>)."""
    bridge = bridge_name(isolation, vnet, physical_dev)
    if isolation == "vxlan":
        return {"bridge": bridge, "isolation": "vxlan", "vni": vnet,
                "physical_dev": physical_dev, "mtu": mtu}
    if isolation == "vlan":
        return {"bridge": bridge, "isolation": "vlan", "vlan": vnet,
                "physical_dev": physical_dev, "mtu": mtu}
    raise ParamError(f"isolation must be vxlan or vlan, not {isolation!r}")


def _network(ctx: CallContext, params: Params) -> Network | None:
    network_id = params.get("networkid")
    if not network_id:
        return None
    network = ctx.session.get(Network, str(network_id))
    if network is None or network.removed is not None:
        raise ParamError(f"network {network_id} not found")
    return network


def _network_hosts(ctx: CallContext, params: Params) -> list[str]:
    if params.get("hostids") or params.get("hostid"):
        return _named_hosts(ctx, params)
    network = _network(ctx, params)
    if network is None:
        raise ParamError("networkid or hostids is required for this action")
    return _live_hosts(ctx, Host.zone_id == network.zone_id,
                       Host.hypervisor.in_(("KVM", "LXC")))


def _network_vars(ctx: CallContext, params: Params) -> dict[str, Any]:
    physical_dev = str(params.get("physicaldev") or DEFAULT_PHYSICAL_DEV)
    mtu = _int(params, "mtu")
    network = _network(ctx, params)
    if network is not None:
        if network.vnet is None:
            raise ParamError(f"network {network.id} has no VLAN/VNI yet")
        return {"guest_networks": [guest_network_var(network.isolation, network.vnet,
                                                     physical_dev=physical_dev, mtu=mtu)]}
    vnet = _int(params, "vnet")
    isolation = params.get("isolation")
    if vnet is None or not isolation:
        raise ParamError("networkid, or isolation and vnet, are required for this action")
    return {"guest_networks": [guest_network_var(str(isolation).lower(), vnet,
                                                 physical_dev=physical_dev, mtu=mtu)]}


# -- storage pools -----------------------------------------------------------------------

def _pool(ctx: CallContext, params: Params) -> StoragePool:
    pool_id = params.get("storageid") or params.get("id")
    if not pool_id:
        raise ParamError("storageid is required for this action")
    pool = ctx.session.get(StoragePool, str(pool_id))
    if pool is None or pool.removed is not None:
        raise ParamError(f"storage pool {pool_id} not found")
    return pool


def storage_pool_var(pool: StoragePool) -> dict[str, Any]:
    return {"id": pool.id, "name": pool.name, "type": str(pool.pool_type),
            "server": pool.server, "path": pool.path,
            "mount_point": f"{STORAGE_MOUNT_ROOT}/{pool.id}"}


def _pool_hosts(ctx: CallContext, params: Params) -> list[str]:
    if params.get("hostids") or params.get("hostid"):
        return _named_hosts(ctx, params)
    pool = _pool(ctx, params)
    if pool.scope == StorageScope.HOST and pool.host_id:
        return _live_hosts(ctx, Host.id == pool.host_id)
    if pool.scope == StorageScope.ZONE or pool.cluster_id is None:
        return _live_hosts(ctx, Host.zone_id == pool.zone_id)
    return _live_hosts(ctx, Host.cluster_id == pool.cluster_id)


def _pool_vars(ctx: CallContext, params: Params) -> dict[str, Any]:
    return {"storage_pool": storage_pool_var(_pool(ctx, params))}


ACTIONS: dict[str, Action] = {action.name: action for action in (
    Action("host_add", "host_add", _named_hosts, _no_vars,
           "prepare a KVM/LXC host and report its capacity"),
    Action("host_remove", "host_remove", _named_hosts, _no_vars,
           "undo what Cirrus set up on a host"),
    Action("network_ensure", "network_ensure", _network_hosts, _network_vars,
           "create a guest network's bridge and uplink on hosts"),
    Action("network_release", "network_release", _network_hosts, _network_vars,
           "remove a guest network's bridge and uplink from hosts"),
    Action("storage_pool_add", "storage_pool_add", _pool_hosts, _pool_vars,
           "mount a primary storage pool on hosts"),
    Action("storage_pool_remove", "storage_pool_remove", _pool_hosts, _pool_vars,
           "unmount a primary storage pool from hosts"),
)}


def get(name: str) -> Action:
    action = ACTIONS.get(name.lower())
    if action is None:
        raise ParamError(f"unknown action {name!r}: expected one of {', '.join(ACTIONS)}")
    return action


def perform(ctx: CallContext, name: str, params: Params, *, check: bool = False,
            extra_hosts: tuple[automation.InventoryHost, ...] = ()) -> RunResult:
    """Run action `name` (in check mode: report what would change, change nothing)."""
    action = get(name)
    hosts = action.hosts_from(ctx, params)
    extra_vars = action.extra_vars(ctx, params)
    if not hosts and not extra_hosts:
        raise ParamError(f"action {name} has no host to run on")
    return automation.run(ctx, action.playbook, hosts=hosts, extra_vars=extra_vars,
                          check=check, extra_hosts=extra_hosts)
