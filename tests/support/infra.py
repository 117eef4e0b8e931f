"""Building physical resources on a test cloud: a zone with a pod, cluster and host."""

from __future__ import annotations

import uuid
from typing import Any

from cs import CloudStack

from tests.support.cloud import Cloud


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def zone(cloud: Cloud, **kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"name": unique("zone"), "networktype": "Advanced",
                            "dns1": "8.8.8.8", "internaldns1": "10.0.0.2"}
    args.update(kwargs)
    created: dict[str, Any] = cloud.admin.createZone(**args)["zone"]
    return created


def pod(cloud: Cloud, zone_id: str, third_octet: int = 0, **kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "zoneid": zone_id, "name": unique("pod"), "gateway": f"192.168.{third_octet}.1",
        "netmask": "255.255.255.0", "startip": f"192.168.{third_octet}.10",
        "endip": f"192.168.{third_octet}.59"}
    args.update(kwargs)
    created: dict[str, Any] = cloud.admin.createPod(**args)["pod"]
    return created


def cluster(cloud: Cloud, zone_id: str, pod_id: str, **kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"zoneid": zone_id, "podid": pod_id, "clustername": unique("cl"),
                            "hypervisor": "Simulator", "clustertype": "CloudManaged"}
    args.update(kwargs)
    created: dict[str, Any] = cloud.admin.addCluster(**args)["cluster"][0]
    return created


def host(api: CloudStack, zone_id: str, pod_id: str, cluster_id: str,
         url: str | None = None, **kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"zoneid": zone_id, "podid": pod_id, "clusterid": cluster_id,
                            "hypervisor": "Simulator", "username": "root",
                            "password": "password",
                            "url": url or f"http://sim/{unique('h')}"}
    args.update(kwargs)
    created: dict[str, Any] = api.addHost(**args)["host"][0]
    return created


def stack(cloud: Cloud, third_octet: int = 0) -> dict[str, dict[str, Any]]:
    """A zone with one pod, one Simulator cluster and one host."""
    z = zone(cloud)
    p = pod(cloud, z["id"], third_octet)
    c = cluster(cloud, z["id"], p["id"])
    h = host(cloud.admin, z["id"], p["id"], c["id"])
    return {"zone": z, "pod": p, "cluster": c, "host": h}
