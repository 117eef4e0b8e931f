"""The inventory rendered from database rows: groups per zone/pod/cluster, host vars."""

from __future__ import annotations

import sys

from sqlalchemy import update

from appliance.automation.inventory import InventoryHost, group_name, render
from appliance.db import Database
from appliance.models import Host
from appliance.models.base import utcnow
from tests.automation.infra import stack


def test_groups_and_vars_come_from_the_rows(db: Database) -> None:
    ids = stack(db, hosts=2, address="10.233.0.11", domain_type="lxc", username=None)
    with db.session() as session:
        inventory = render(session, [ids["host0"], ids["host1"]], python="/opt/py3")
    hosts = inventory["all"]["hosts"]
    assert set(hosts) == {ids["host0"], ids["host1"]}
    host = hosts[ids["host0"]]
    assert host["ansible_host"] == "10.233.0.11"
    assert host["ansible_user"] == "root"
    assert host["ansible_python_interpreter"] == "/opt/py3"
    assert host["cirrus_host_id"] == ids["host0"]
    assert host["cirrus_zone_id"] == ids["zone"] and host["cirrus_pod_id"] == ids["pod"]
    assert host["cirrus_cluster_id"] == ids["cluster"]
    assert host["cirrus_cluster_name"].startswith("cl-")
    assert host["cirrus_libvirt_domain_type"] == "lxc"
    assert host["cirrus_isolation_method"] == "vxlan"
    assert "ansible_connection" not in host
    children = inventory["all"]["children"]
    for kind in ("zone", "pod", "cluster"):
        assert set(children[group_name(kind, ids[kind])]["hosts"]) == {ids["host0"],
                                                                       ids["host1"]}
    assert ids["host0"] in children["hypervisor_kvm"]["hosts"]


def test_removed_and_non_routing_hosts_are_left_out(db: Database) -> None:
    ids = stack(db, hosts=3)
    with db.session() as session:
        session.execute(update(Host).where(Host.id == ids["host1"]).values(removed=utcnow()))
        session.execute(update(Host).where(Host.id == ids["host2"])
                        .values(type="SecondaryStorage"))
    with db.session() as session:
        hosts = render(session, [ids["host0"], ids["host1"], ids["host2"]])["all"]["hosts"]
    assert list(hosts) == [ids["host0"]]
    # A loopback address is this machine: no SSH.
    assert hosts[ids["host0"]]["ansible_connection"] == "local"


def test_libvirt_uri_and_extra_hosts(db: Database) -> None:
    ids = stack(db, address="10.233.0.12", url="qemu+tcp://10.233.0.12/system")
    router = InventoryHost("r-1-VM", {"ansible_host": "169.254.3.4"}, ("routers",))
    with db.session() as session:
        inventory = render(session, [ids["host0"]], [router, InventoryHost.local()])
    hosts = inventory["all"]["hosts"]
    assert hosts[ids["host0"]]["cirrus_libvirt_uri"] == "qemu+tcp://10.233.0.12/system"
    assert hosts["r-1-VM"] == {"ansible_host": "169.254.3.4"}
    assert hosts["localhost"]["ansible_python_interpreter"] == sys.executable
    assert inventory["all"]["children"]["routers"]["hosts"] == {"r-1-VM": None}
