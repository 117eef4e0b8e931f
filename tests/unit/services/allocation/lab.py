"""Build zones, pods, clusters, hosts and pools directly with SQLAlchemy for planner tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.db import Database
from appliance.models import Cluster, Domain, Host, Pod, StoragePool, Zone
from appliance.services.allocation import PlacementRequest

MIB = 1024 * 1024
GIB = 1024 * MIB


def root_domain(session: Session) -> Domain:
    root = session.scalar(select(Domain).where(Domain.parent_id.is_(None)))
    assert root is not None
    return root


def child_domain(db: Database, name: str, parent_id: str | None = None) -> str:
    with db.session() as session:
        parent = session.get(Domain, parent_id) if parent_id else root_domain(session)
        assert parent is not None
        domain = Domain(name=name, parent_id=parent.id, path=f"{parent.path}{name}/",
                        level=parent.level + 1)
        session.add(domain)
        session.flush()
        return domain.id


@dataclass
class Lab:
    """One zone with one pod; clusters, hosts and pools added on demand (ids returned)."""

    db: Database
    zone_id: str = ""
    pod_id: str = ""
    name: str = ""
    root_domain_id: str = ""
    clusters: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, db: Database, **zone: Any) -> Lab:
        name = f"zone-{uuid.uuid4().hex[:8]}"
        with db.session() as session:
            z = Zone(name=name, network_type="Basic", **zone)
            session.add(z)
            session.flush()
            p = Pod(zone_id=z.id, name=f"{name}-pod", gateway="10.0.0.1",
                    netmask="255.255.255.0", start_ip="10.0.0.10")
            session.add(p)
            session.flush()
            return cls(db, z.id, p.id, name, root_domain(session).id)

    def pod(self, **kw: Any) -> str:
        with self.db.session() as session:
            p = Pod(zone_id=self.zone_id, name=f"pod-{uuid.uuid4().hex[:6]}",
                    gateway="10.0.0.1", netmask="255.255.255.0", start_ip="10.0.0.10", **kw)
            session.add(p)
            session.flush()
            return p.id

    def cluster(self, *, hypervisor: str = "Simulator", pod_id: str | None = None,
                pool_gb: float | None = 1000, **kw: Any) -> str:
        """A cluster, with a cluster-wide NFS pool of `pool_gb` unless None."""
        with self.db.session() as session:
            c = Cluster(zone_id=self.zone_id, pod_id=pod_id or self.pod_id,
                        name=f"cl-{uuid.uuid4().hex[:6]}", hypervisor=hypervisor, **kw)
            session.add(c)
            session.flush()
            cid = c.id
        if pool_gb is not None:
            self.pool(cluster_id=cid, capacity_gb=pool_gb)
        self.clusters.append(cid)
        return cid

    def host(self, cluster_id: str | None = None, *, cpus: int = 4, mhz: int = 2000,
             memory_mb: int = 8192, **kw: Any) -> str:
        if cluster_id is None:
            cluster_id = self.clusters[0] if self.clusters else self.cluster()
        with self.db.session() as session:
            cluster = session.get(Cluster, cluster_id)
            assert cluster is not None
            kw.setdefault("status", "Up")
            kw.setdefault("hypervisor", cluster.hypervisor)
            h = Host(name=f"h-{uuid.uuid4().hex[:8]}", zone_id=self.zone_id,
                     pod_id=cluster.pod_id, cluster_id=cluster_id, url="sim://h",
                     cpu_count=cpus, cpu_speed_mhz=mhz, memory=memory_mb * MIB, **kw)
            session.add(h)
            session.flush()
            return h.id

    def pool(self, *, cluster_id: str | None = None, host_id: str | None = None,
             scope: str | None = None, capacity_gb: float = 1000,
             pool_type: str = "NetworkFilesystem", **kw: Any) -> str:
        scope = scope or ("HOST" if host_id else "CLUSTER" if cluster_id else "ZONE")
        with self.db.session() as session:
            pod_id = None
            if cluster_id:
                cluster = session.get(Cluster, cluster_id)
                assert cluster is not None
                pod_id = cluster.pod_id
            p = StoragePool(name=f"pool-{uuid.uuid4().hex[:6]}", zone_id=self.zone_id,
                            pod_id=pod_id, cluster_id=cluster_id, host_id=host_id,
                            scope=scope, pool_type=pool_type, url="nfs://x/y", path="/y",
                            capacity_bytes=int(capacity_gb * GIB), **kw)
            session.add(p)
            session.flush()
            return p.id

    def request(self, **kw: Any) -> PlacementRequest:
        values: dict[str, Any] = dict(
            zone_id=self.zone_id, account_id="acct", domain_id=self.root_domain_id,
            cpu_number=1, cpu_speed_mhz=1000, memory_bytes=1024 * MIB,
            root_disk_bytes=10 * GIB, vm_name="i-2-1-VM")
        values.update(kw)
        return PlacementRequest(**values)

    def get(self, model: type, row_id: str) -> Any:
        with self.db.session(write=False) as session:
            row = session.get(model, row_id)
            assert row is not None
            session.expunge(row)
            return row

    def update(self, model: type, row_id: str, **values: Any) -> None:
        with self.db.session() as session:
            row = session.get(model, row_id)
            assert row is not None
            for key, value in values.items():
                setattr(row, key, value)
