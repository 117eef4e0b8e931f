"""addCluster, updateCluster, deleteCluster, listClusters."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, STRING, UUID, param
from appliance.api.registry import ROOT_ADMIN, Command, ListCommand, api_command
from appliance.api.responses.infra import CLUSTER
from appliance.models import Cluster
from appliance.services import infra
from appliance.services.context import CallContext
from appliance.services.infra import clusters
from appliance.services.paging import Page


@api_command("addCluster", response=CLUSTER, kind="list", roles=ROOT_ADMIN,
             related=("listClusters",))
@dataclass(frozen=True)
class AddCluster(Command):
    """Adds a new cluster"""

    zoneid: str = param(UUID, required=True, doc="the Zone ID for the cluster")
    podid: str = param(UUID, required=True, doc="the Pod ID for the host")
    clustername: str = param(STRING, required=True, doc="the cluster name")
    hypervisor: str = param(STRING, required=True, doc="hypervisor type of the cluster: "
                            "Simulator, KVM, LXC, VMware")
    clustertype: str = param(STRING, required=True, doc="type of the cluster: CloudManaged, "
                             "ExternalManaged")
    allocationstate: str | None = param(STRING, doc="Allocation state of this cluster for "
                                        "allocation of new resources")
    libvirtdomaintype: str | None = param(STRING, doc="libvirt domain type of a KVM cluster's "
                                          "guests: kvm (default), qemu or lxc (Cirrus)")
    url: str | None = param(STRING, length=1024, doc="the URL (VMware vCenter clusters)")
    username: str | None = param(STRING, doc="the username for the cluster")
    password: str | None = param(STRING, doc="the password for the host")

    def run(self, ctx: CallContext) -> Page[Cluster]:
        cluster = clusters.add(ctx, zone_id=self.zoneid, pod_id=self.podid,
                               name=self.clustername, hypervisor=self.hypervisor,
                               cluster_type=self.clustertype,
                               libvirt_domain_type=self.libvirtdomaintype,
                               allocation_state=self.allocationstate)
        return Page([cluster], 1)

    def describe(self) -> str:
        return f"adding cluster {self.clustername}"


@api_command("updateCluster", response=CLUSTER, roles=ROOT_ADMIN, related=("listClusters",))
@dataclass(frozen=True)
class UpdateCluster(Command):
    """Updates an existing cluster"""

    id: str = param(UUID, required=True, doc="the ID of the Cluster")
    clustername: str | None = param(STRING, doc="the cluster name")
    allocationstate: str | None = param(STRING, doc="Enabled or Disabled")
    managedstate: str | None = param(STRING, doc="whether this cluster is managed: Managed, "
                                     "Unmanaged")
    clustertype: str | None = param(STRING, doc="type of the cluster")
    hypervisor: str | None = param(STRING, doc="hypervisor type of the cluster (cannot "
                                   "change)")
    libvirtdomaintype: str | None = param(STRING, doc="libvirt domain type: kvm, qemu or "
                                          "lxc (Cirrus)")

    def run(self, ctx: CallContext) -> Cluster:
        return clusters.update(
            ctx, infra.cluster(ctx, self.id), name=self.clustername,
            allocation_state=self.allocationstate, managed_state=self.managedstate,
            cluster_type=self.clustertype, hypervisor=self.hypervisor,
            libvirt_domain_type=self.libvirtdomaintype)


@api_command("deleteCluster", roles=ROOT_ADMIN)
@dataclass(frozen=True)
class DeleteCluster(Command):
    """Deletes a cluster."""

    id: str = param(UUID, required=True, doc="the cluster ID")

    def run(self, ctx: CallContext) -> None:
        clusters.delete(ctx, infra.cluster(ctx, self.id))


@api_command("listClusters", response=CLUSTER, roles=ROOT_ADMIN)
@dataclass(frozen=True)
class ListClusters(ListCommand):
    """Lists clusters."""

    id: str | None = param(UUID, doc="lists clusters by the cluster ID")
    name: str | None = param(STRING, doc="lists clusters by the cluster name")
    zoneid: str | None = param(UUID, doc="lists clusters by Zone ID")
    podid: str | None = param(UUID, doc="lists clusters by Pod ID")
    hypervisor: str | None = param(STRING, doc="lists clusters by hypervisor type")
    clustertype: str | None = param(STRING, doc="lists clusters by cluster type")
    allocationstate: str | None = param(STRING, doc="lists clusters by allocation state")
    managedstate: str | None = param(STRING, doc="whether this cluster is managed")
    showcapacities: bool | None = param(BOOLEAN, doc="flag to display the capacity of the "
                                        "clusters")

    def run(self, ctx: CallContext) -> Page[Cluster]:
        if self.showcapacities:
            ctx.cache["showcapacities"] = True
        return clusters.list_clusters(
            ctx, cluster_id=self.id, name=self.name, zone_id=self.zoneid, pod_id=self.podid,
            hypervisor=self.hypervisor, cluster_type=self.clustertype,
            allocation_state=self.allocationstate, managed_state=self.managedstate,
            keyword=self.keyword, page=self.page, pagesize=self.pagesize)
