"""The cirrus.cloud modules that touch hosts, through real `ansible-playbook` runs against a
Cirrus whose zone runs on the one-box lab: a cluster, a real host (h1, LXC) added and
removed by the host playbooks, shared-mountpoint primary storage, an isolated network whose
router runs on h1, an instance, a public address and a port forward that the public side
(cirlab-pub) really reaches the guest through.

The scenarios' setup runs as one playbook ("up"); the test looks at the lab; then their
teardown runs as another ("down"). Each module goes through the same lifecycle as in
tests/collection (check mode, create, unchanged re-run, update with diff, info, remove).
The zone, pod, public range, secondary storage, offering and LXC template (no host work)
are made through the API first.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import lab
from tests.support.cloud import Cloud
from tests.support.image_server import ImageServer
from tests.support.lab_cloud import LabZone, add_zone, netns_names
from tests.support.lab_guests import (
    GUEST_PORT,
    PUBLIC_GATEWAY,
    PUBLIC_VLAN,
    Guest,
    fetch_public,
    serving,
)
from tests.support.module_scenarios import (
    Results,
    Scenario,
    Step,
    chain_tasks,
    check_lifecycle,
    result,
    run_playbook,
    write_play,
)
from tests.support.waiting import eventually

CHAIN = "lab"
IP = "{{ lab_ip.ip_address }}"
PUBLIC_PORT = 8080


def scenarios(zone: LabZone, tag: str, h1: lab.LabHost) -> list[Scenario | Step]:
    where = {"zone": zone["zone"]}
    cluster = f"lab-col-{tag}"
    net = {"name": f"lab-net-{tag}", **where}
    vm = {"name": f"lab-vm-{tag}", **where}
    return [
        Scenario("cluster", {"name": cluster, **where},
                 {"pod": zone["pod"], "hypervisor": "LXC", "cluster_type": "CloudManaged",
                  "libvirt_domain_type": "lxc"},
                 {"state": "disabled"},
                 ("cluster_info", {"name": cluster, **where}),
                 {"allocation_state": ("Enabled", "Disabled")},
                 steps=[Step("enabled", {"name": cluster, **where, "state": "enabled"})]),
        # addHost runs the host_add playbook on h1; deleteHost the host_remove one.
        Scenario("host", {"name": h1.address, **where},
                 {"cluster": cluster, "url": f"http://{h1.address}", "username": "root",
                  "password": "unused"},
                 {"host_tags": ["lab"]},
                 ("host_info", {"name": h1.address, **where}),
                 {"host_tags": (None, "lab"), "cluster": (cluster, cluster),
                  "hypervisor": ("LXC", "LXC")},
                 steps=[Step("maintenance", {"name": h1.address, **where,
                                             "allocation_state": "maintenance"}),
                        Step("enabled", {"name": h1.address, **where,
                                         "allocation_state": "enabled"})]),
        # createStoragePool defines and starts the libvirt pool on h1.
        Scenario("storage_pool", {"name": f"lab-col-primary-{tag}", **where},
                 {"pod": zone["pod"], "cluster": cluster, "scope": "cluster",
                  "storage_url": f"SharedMountPoint://{zone.shared_dir}/col"},
                 {"storage_tags": ["lab"]},
                 ("storage_pool_info", {"name": f"lab-col-primary-{tag}", **where}),
                 {"storage_tags": (None, "lab"), "cluster": (cluster, cluster)}),
        Scenario("network", net, {"network_offering": "DefaultVirtualizedNetworkOffering"},
                 {"display_text": "lab network"},
                 ("network_info", net),
                 {"display_text": (net["name"], "lab network")}),
        # Deploying starts the network's router on h1 (a namespace with dnsmasq, iptables)
        # and the LXC guest.
        Scenario("instance", vm,
                 {"template": zone["lxc-template"], "service_offering": zone["offering"],
                  "networks": [net["name"]]},
                 {"display_name": "lab VM"},
                 ("instance_info", vm),
                 {"display_name": (vm["name"], "lab VM"),
                  "instance_state": ("Running", "Running")},
                 steps=[Step("stopped", dict(vm, state="stopped")),
                        Step("started", dict(vm, state="started")),
                        Step("restarted", dict(vm, state="restarted"))],
                 after=[Step("expunged", dict(vm, state="expunged"))]),
        Scenario("router", {"network": net["name"], **where}, {"state": "stopped"},
                 {"state": "started"},
                 ("router_info", {"network": net["name"], **where}),
                 {"router_state": ("Stopped", "Running")}, preexisting=True),
        Scenario("ip_address", {"network": net["name"], **where}, {}, {},
                 ("ip_address_info", {"network": net["name"], "is_source_nat": False,
                                      **where}),
                 {"is_source_nat": (False, False)},
                 remove={"ip_address": IP, "state": "absent"}, register="lab_ip"),
        Scenario("port_forward", {"ip_address": IP, "public_port": PUBLIC_PORT},
                 {"private_port": GUEST_PORT, "vm": vm["name"], "open_firewall": True}, {},
                 ("port_forward_info", {"ip_address": IP}),
                 {"private_port": (str(GUEST_PORT),) * 2, "vm": (vm["name"],) * 2}),
    ]


@dataclass
class LabRun:
    chain: list[Scenario | Step]
    up: Results
    down: Results
    served: str | None  # what the public side fetched through the port forward
    guest_host: str  # where the instance ran
    router_on_h1: bool  # the router's namespace was on h1 while the network was up
    router_name: str

    def results(self) -> Results:
        return {CHAIN: {**self.up.get(CHAIN, {}), **self.down.get(CHAIN, {})}}


@pytest.fixture(scope="module")
def zone(cloud: Cloud, lab_hosts: lab.Lab, files: ImageServer) -> Iterator[LabZone]:
    made = add_zone(cloud, lab_hosts, files, kinds=(), templates=("lxc",), public={
        "vlan": str(PUBLIC_VLAN), "gateway": PUBLIC_GATEWAY, "netmask": "255.255.255.0",
        "startip": "10.233.100.70", "endip": "10.233.100.90"})
    # The directory the storage_pool scenario mounts (the lab hosts see /srv/cirrus-e2e).
    os.makedirs(f"{made.shared_dir}/col", exist_ok=True)
    yield made
    shutil.rmtree(made.shared_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def run(cloud: Cloud, zone: LabZone, lab_hosts: lab.Lab,
        tmp_path_factory: pytest.TempPathFactory) -> LabRun:
    h1 = lab_hosts.hosts[0]
    chain = scenarios(zone, uuid.uuid4().hex[:6], h1)
    setup, teardown = chain_tasks(CHAIN, chain)
    workdir = str(tmp_path_factory.mktemp("lab-collection"))
    for name, tasks in (("up", setup), ("down", teardown)):
        write_play(workdir, name, {CHAIN: tasks}, endpoint=cloud.endpoint,
                   key=cloud.admin_key, secret=cloud.admin_secret, job_timeout=300,
                   request_timeout=180)  # as the lab cloud gives its requests

    done, up = run_playbook(workdir, "up", {}, timeout=1500)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    vm_name = result(up, CHAIN, "instance: create")["name"]
    (vm,) = cloud.admin.listVirtualMachines(name=vm_name, listall=True)["virtualmachine"]
    (router,) = cloud.admin.listRouters(listall=True, networkid=vm["nic"][0]["networkid"])[
        "router"]
    guest = Guest(vm, h1, vm["instancename"])
    address = result(up, CHAIN, "ip_address: create")["ip_address"]
    eventually(lambda: f"inet {guest.ip}/" in guest.address(), 60,
               f"{vm_name} to take its DHCP lease {guest.ip}")
    with serving(["nsenter", "-t", str(guest.pid()), "-n", "--"], vm_name):
        served = eventually(lambda: fetch_public(f"http://{address}:{PUBLIC_PORT}/"), 60,
                            "the port forward made by the playbook")
    router_on_h1 = router["name"] in netns_names(h1)  # its namespace is named after it

    # The teardown's options name the address the setup registered.
    done, down = run_playbook(workdir, "down", {}, timeout=1500,
                              extra_vars={"lab_ip": {"ip_address": address}})
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    return LabRun(chain, up, down, served, vm.get("hostname", ""), router_on_h1,
                  router["name"])


@pytest.mark.parametrize("name", ["cluster", "host", "storage_pool", "network", "instance",
                                  "router", "ip_address", "port_forward"])
def test_module_lifecycle_on_the_lab(run: LabRun, name: str) -> None:
    (found,) = [item for item in run.chain if isinstance(item, Scenario) and item.name == name]
    check_lifecycle(run.results(), CHAIN, found)


def test_the_instance_ran_on_the_lab_host_behind_its_router(run: LabRun,
                                                            lab_hosts: lab.Lab) -> None:
    assert run.guest_host == lab_hosts.hosts[0].address
    assert run.router_on_h1, f"no namespace of router {run.router_name} on h1"
    # The port forward the playbook made carried a request from the public side to the
    # guest's own HTTP server (it answers the VM's name).
    assert run.served is not None and run.served.startswith("lab-vm-")


def test_the_teardown_left_the_lab_clean(run: LabRun, cloud: Cloud,
                                         lab_hosts: lab.Lab) -> None:
    h1 = lab_hosts.hosts[0]
    assert run.router_name not in netns_names(h1)
    vm_name = result(run.up, CHAIN, "instance: create")["name"]
    assert not cloud.admin.listVirtualMachines(name=vm_name, listall=True).get(
        "virtualmachine")
    host_id = result(run.up, CHAIN, "host: create")["id"]
    assert not cloud.admin.listHosts(id=host_id).get("host")
    step: dict[str, Any] = result(run.down, CHAIN, "host: remove")
    assert step["changed"] is True
