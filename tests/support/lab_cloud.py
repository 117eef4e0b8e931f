"""A Cirrus whose zones run on the one-box lab (tests/e2e): the server, the LXC template
and a zone builder."""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import lab
from appliance.automation import keys
from lab import images
from tests.support import server
from tests.support.cloud import Cloud
from tests.support.image_server import ImageServer
from tests.support.waiting import eventually

SHARED = "/srv/cirrus-e2e"


@contextlib.contextmanager
def lab_cloud(hosts: int = 2) -> Iterator[Cloud]:
    """A Cirrus on SQLite whose SSH key the lab hosts authorize; on leaving, every VM and
    router it made on the shared lab is destroyed."""
    home = tempfile.mkdtemp(prefix="cirrus-e2e-")
    url = f"sqlite:///{os.path.join(home, 'cirrus.db')}"
    creds = server.init(url, home)
    the_lab = lab.up(hosts=hosts, authorize_keys=[keys.private_key_path(home) + ".pub"])
    srv = server.start(url, home=home)
    # Host-side work (playbooks, QEMU boots under TCG) is slow on 2 busy cores.
    cloud = Cloud(srv, creds["apikey"], creds["secretkey"], creds["password"], timeout=180,
                  job_timeout=300)
    # Other clouds (other test sessions) share the lab hosts: keep our names apart.
    suffix = f"E2E{uuid.uuid4().hex[:6]}"
    cloud.admin.updateConfiguration(name="instance.name", value=suffix)
    try:
        yield cloud
    finally:
        for vm in cloud.admin.listVirtualMachines(listall=True).get("virtualmachine", []):
            with contextlib.suppress(Exception):
                cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True,
                                                  fetch_result=True)
        for router in cloud.admin.listRouters(listall=True).get("router", []):
            with contextlib.suppress(Exception):
                cloud.admin.destroyRouter(id=router["id"], fetch_result=True)
        srv.stop()
        _remove_leftover_routers(the_lab, suffix)


def netns_names(host: lab.LabHost) -> list[str]:
    """The network namespaces on a lab host (a router's is named after it)."""
    return [line.split()[0] for line in host.run(["ip", "netns", "list"]).stdout.splitlines()
            if line.split()]


def _remove_leftover_routers(the_lab: lab.Lab, suffix: str) -> None:
    """Routers of this cloud still on the lab hosts (a destroy that did not get through,
    e.g. behind a queue of jobs): their namespaces go, with what runs in them."""
    for host in the_lab.hosts:
        for name in [name for name in netns_names(host) if name.endswith(f"-{suffix}")]:
            host.run(f"kill -9 $(ip netns pids {name}) 2>/dev/null; ip netns del {name}",
                     check=False)


def lxc_image() -> bytes:
    """The lab's LXC root filesystem as a raw ext4 image (what an LXC template is)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "rootfs.img")
        subprocess.run(["mkfs.ext4", "-q", "-d", images.lxc_rootfs_path(), out, "32M"],
                       check=True)
        with open(out, "rb") as handle:
            return handle.read()


@dataclass
class LabZone:
    """Ids of what `add_zone` made, by name: zone, pod, offering, <kind>-cluster,
    <kind>-host, <kind>-pool, <kind>-template for each kind (lxc, kvm; kvm2 is a second
    KVM cluster that deploys from the kvm template)."""

    ids: dict[str, str] = field(default_factory=dict)
    shared_dir: str = ""

    def __getitem__(self, key: str) -> str:
        return self.ids[key]


def add_zone(cloud: Cloud, lab_hosts: lab.Lab, files: ImageServer, *,
             kinds: tuple[str, ...] = ("lxc", "kvm"), templates: tuple[str, ...] | None = None,
             isolation: str = "vxlan",
             public: dict[str, str] | None = None,
             basic_guest_range: dict[str, str] | None = None) -> LabZone:
    """A zone on the lab: one cluster per kind (lxc on the first lab host, kvm on the
    second), shared-mountpoint primary storage, a template per kind (or per kind of
    `templates`, when the clusters are made otherwise). Advanced, with
    `public` (createVlanIpRange arguments) as its public range; or, with
    `basic_guest_range`, a basic zone with security groups whose pod has that guest range
    (on the hosts' untagged cloudbr0)."""
    admin = cloud.admin
    tag = uuid.uuid4().hex[:6]
    # Apart from other sessions' zones on the same lab.
    if isolation == "vxlan":
        first = 100_000 + random.randrange(0, 10_000) * 100
        vnets = f"{first}-{first + 99}"
    else:
        first = 1000 + random.randrange(0, 200) * 10
        vnets = f"{first}-{first + 9}"
    zone = LabZone(shared_dir=f"{SHARED}/{tag}")
    ids = zone.ids
    if basic_guest_range is None:
        ids["zone"] = admin.createZone(name=f"lab-{tag}", networktype="Advanced",
                                       dns1="10.233.0.1", internaldns1="10.233.0.1",
                                       isolationmethod=isolation, vlan=vnets)["zone"]["id"]
    else:
        ids["zone"] = admin.createZone(name=f"lab-{tag}", networktype="Basic",
                                       securitygroupenabled=True, dns1="10.233.0.1",
                                       internaldns1="10.233.0.1")["zone"]["id"]
    ids["pod"] = admin.createPod(zoneid=ids["zone"], name="lab-pod", gateway="10.233.0.1",
                                 netmask="255.255.255.0", startip="10.233.0.100",
                                 endip="10.233.0.150")["pod"]["id"]
    if public:
        admin.createVlanIpRange(zoneid=ids["zone"], forvirtualnetwork=True, **public)
    if basic_guest_range:
        admin.createVlanIpRange(zoneid=ids["zone"], podid=ids["pod"],
                                forvirtualnetwork=False, **basic_guest_range)
    placement = {"lxc": ("LXC", "lxc", lab_hosts.hosts[0]),
                 "kvm": ("KVM", "qemu", lab_hosts.hosts[1]),
                 # A second KVM cluster (on the first host) for moves between clusters.
                 "kvm2": ("KVM", "qemu", lab_hosts.hosts[0])}
    for kind in kinds:
        hypervisor, domain_type, lab_host = placement[kind]
        cluster = admin.addCluster(zoneid=ids["zone"], podid=ids["pod"],
                                   clustername=f"lab-{kind}", hypervisor=hypervisor,
                                   clustertype="CloudManaged",
                                   libvirtdomaintype=domain_type)["cluster"][0]
        ids[f"{kind}-cluster"] = cluster["id"]
        host = admin.addHost(zoneid=ids["zone"], podid=ids["pod"], clusterid=cluster["id"],
                             hypervisor=hypervisor, url=f"http://{lab_host.address}",
                             username="root", password="unused")["host"][0]
        ids[f"{kind}-host"] = host["id"]
        path = f"{zone.shared_dir}/{kind}"
        os.makedirs(path, exist_ok=True)
        ids[f"{kind}-pool"] = admin.createStoragePool(
            zoneid=ids["zone"], podid=ids["pod"], clusterid=cluster["id"],
            name=f"lab-{kind}-primary", url=f"SharedMountPoint://{path}",
            scope="cluster")["storagepool"]["id"]
    admin.addImageStore(name="lab-secondary", provider="NFS", zoneid=ids["zone"],
                        url=f"file://{cloud.server.home}/secondary")
    ids["offering"] = admin.createServiceOffering(
        name=f"lab-tiny-{tag}", displaytext="1 x 500 MHz, 128 MB", cpunumber=1,
        cpuspeed=500, memory=128)["serviceoffering"]["id"]
    ostype = admin.listOsTypes(description="Other (64-bit)")["ostype"][0]["id"]
    for kind in kinds if templates is None else templates:
        if kind == "kvm2":
            continue  # deploys from the kvm template
        if kind == "lxc":
            hypervisor, fmt, body = "LXC", "RAW", lxc_image()
        else:
            with open(images.template_qcow2_path(), "rb") as handle:
                hypervisor, fmt, body = "KVM", "QCOW2", handle.read()
        url = files.serve(f"{kind}-{tag}.img", body)
        template = admin.registerTemplate(name=f"lab-{kind}-{tag}", displaytext=kind,
                                          url=url, zoneid=ids["zone"], format=fmt,
                                          hypervisor=hypervisor, ostypeid=ostype,
                                          ispublic=True, passwordenabled=True)["template"][0]
        ids[f"{kind}-template"] = template["id"]
        eventually(lambda tid=template["id"]: admin.listTemplates(
            templatefilter="all", id=tid)["template"][0].get("isready"), 120,
            f"{kind} template Ready")
    return zone
