"""Zone, pod, cluster and host rows written straight into the database for inventories."""

from __future__ import annotations

import uuid

from appliance.db import Database
from appliance.models import Cluster, Host, Pod, Zone


def stack(db: Database, *, hosts: int = 1, address: str = "127.0.0.1",
          hypervisor: str = "KVM", domain_type: str | None = "qemu",
          isolation: str = "vxlan", username: str | None = "root",
          url: str | None = None) -> dict[str, str]:
    """A zone/pod/cluster with `hosts` Routing hosts; returns the ids by role."""
    tag = uuid.uuid4().hex[:6]
    with db.session() as session:
        zone = Zone(name=f"zone-{tag}", network_type="Advanced", isolation_method=isolation,
                    vlan_range="100-200")
        session.add(zone)
        session.flush()
        pod = Pod(zone_id=zone.id, name=f"pod-{tag}", gateway="10.0.0.1",
                  netmask="255.255.255.0", start_ip="10.0.0.10")
        session.add(pod)
        session.flush()
        cluster = Cluster(zone_id=zone.id, pod_id=pod.id, name=f"cl-{tag}",
                          hypervisor=hypervisor, libvirt_domain_type=domain_type)
        session.add(cluster)
        session.flush()
        ids = {"zone": zone.id, "pod": pod.id, "cluster": cluster.id}
        for index in range(hosts):
            host = Host(name=f"h{index}-{tag}", zone_id=zone.id, pod_id=pod.id,
                        cluster_id=cluster.id, hypervisor=hypervisor,
                        url=url or f"http://{address}", ip_address=address,
                        username=username)
            session.add(host)
            session.flush()
            ids[f"host{index}"] = host.id
        return ids
