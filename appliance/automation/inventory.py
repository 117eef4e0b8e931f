"""The Ansible inventory of a run, rendered from the database.

Hosts are named by their Cirrus id (so `limit` and lock keys use ids); groups per zone,
pod, cluster and hypervisor (`zone_<id>`, `pod_<id>`, `cluster_<id>`, `hypervisor_kvm`)
let playbooks target a slice of the cloud. Host variables carry the connection
(`ansible_host`, `ansible_user`, `ansible_python_interpreter`) and what roles need to know
about the host's place (`cirrus_zone_id`, `cirrus_cluster_name`, `cirrus_libvirt_domain_type`,
...). Hosts that are not Routing hosts of the database (a host being added, a router, the
local machine in tests) come in as `InventoryHost` values.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.models import Cluster, Host

DEFAULT_PYTHON = "/usr/bin/python3"


@dataclass(frozen=True)
class InventoryHost:
    """One inventory entry: its name, its variables and the groups it belongs to."""

    name: str
    vars: Mapping[str, Any] = field(default_factory=dict)
    groups: tuple[str, ...] = ()

    @classmethod
    def local(cls, name: str = "localhost", **variables: Any) -> InventoryHost:
        """This machine, reached without SSH, running modules with this interpreter."""
        return cls(name, {"ansible_connection": "local",
                          "ansible_python_interpreter": sys.executable, **variables})


def group_name(kind: str, value: str) -> str:
    """A valid Ansible group name: letters, digits and underscores only."""
    return f"{kind}_{re.sub(r'[^A-Za-z0-9_]', '_', value)}".lower()


def host_entry(host: Host, *, python: str = DEFAULT_PYTHON) -> InventoryHost:
    """The inventory entry of a database host (its zone, pod and cluster loaded lazily)."""
    cluster: Cluster = host.cluster
    address = host.ip_address or _url_host(host.url) or host.name
    variables: dict[str, Any] = {
        "ansible_host": address,
        "ansible_user": host.username or "root",
        "ansible_python_interpreter": python,
        "cirrus_host_id": host.id,
        "cirrus_host_name": host.name,
        "cirrus_hypervisor": str(host.hypervisor),
        "cirrus_zone_id": host.zone_id,
        "cirrus_zone_name": host.zone.name,
        "cirrus_pod_id": host.pod_id,
        "cirrus_pod_name": host.pod.name,
        "cirrus_cluster_id": host.cluster_id,
        "cirrus_cluster_name": cluster.name,
        "cirrus_libvirt_domain_type": cluster.libvirt_domain_type or _default_domain_type(host),
        "cirrus_isolation_method": str(host.zone.isolation_method),
    }
    if host.url and host.url.split(":", 1)[0].startswith(("qemu", "lxc")):
        variables["cirrus_libvirt_uri"] = host.url  # the libvirt URI the driver uses too
    if _is_loopback(address):
        # A host on the management server itself (all-in-one setups, tests): no SSH.
        variables["ansible_connection"] = "local"
    groups = (group_name("zone", host.zone_id), group_name("pod", host.pod_id),
              group_name("cluster", host.cluster_id),
              group_name("hypervisor", str(host.hypervisor)))
    return InventoryHost(host.id, variables, groups)


def _default_domain_type(host: Host) -> str | None:
    hypervisor = str(host.hypervisor).lower()
    return {"kvm": "kvm", "lxc": "lxc"}.get(hypervisor)


def _is_loopback(address: str) -> bool:
    import ipaddress

    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _url_host(url: str | None) -> str | None:
    if not url:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else f"ssh://{url}")
    return parts.hostname


def db_hosts(session: Session, host_ids: Iterable[str] | None = None) -> list[Host]:
    """Routing hosts that are not removed; all of them, or those of `host_ids`."""
    stmt = select(Host).where(Host.type == "Routing", Host.removed.is_(None)).order_by(Host.id)
    if host_ids is not None:
        ids = list(host_ids)
        if not ids:
            return []
        stmt = stmt.where(Host.id.in_(ids))
    return list(session.scalars(stmt))


def render(session: Session | None, host_ids: Iterable[str] | None = None,
           extra_hosts: Sequence[InventoryHost] = (), *,
           python: str = DEFAULT_PYTHON) -> dict[str, Any]:
    """The YAML-shaped inventory: `all.hosts` with variables, `all.children` with groups.

    With `host_ids` None every Routing host is rendered; `extra_hosts` are appended (and
    replace a database host of the same name).
    """
    entries: dict[str, InventoryHost] = {}
    if session is not None:
        for host in db_hosts(session, host_ids):
            entries[host.id] = host_entry(host, python=python)
    for extra in extra_hosts:
        entries[extra.name] = extra
    hosts: dict[str, Any] = {}
    children: dict[str, Any] = {}
    for entry in entries.values():
        hosts[entry.name] = dict(entry.vars)
        for group in entry.groups:
            children.setdefault(group, {"hosts": {}})["hosts"][entry.name] = None
    inventory: dict[str, Any] = {"all": {"hosts": hosts}}
    if children:
        inventory["all"]["children"] = dict(sorted(children.items()))
    return inventory
