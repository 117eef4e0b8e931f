"""The roles' modules' planning logic, without a host: what each would run for a given state."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROLES = Path(__file__).resolve().parents[2] / "roles"


def load(role: str, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROLES / role / "library" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bridge = load("guest_network", "cirrus_guest_bridge")
mount = load("primary_storage", "cirrus_mount")
pool = load("primary_storage", "cirrus_libvirt_pool")


def params(**overrides: Any) -> dict[str, Any]:
    return {"bridge": "brvx-100", "isolation": "vxlan", "vni": 100, "vlan": None,
            "physical_dev": "eth0", "mtu": None, "vxlan_group": None, "vxlan_ttl": 10,
            "vxlan_port": 4789, "state": "present", **overrides}


def link(name: str, kind: str | None = None, *, up: bool = True, mtu: int = 1500,
         master: str | None = None, **data: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"ifname": name, "flags": ["UP"] if up else [], "mtu": mtu}
    if master:
        entry["master"] = master
    if kind:
        entry["linkinfo"] = {"info_kind": kind, "info_data": data}
    return entry


@pytest.mark.parametrize(("vni", "group"), [
    (1, "239.0.0.1"), (4242, "239.0.16.146"), (70001, "239.1.17.113"),
    (16777215, "239.255.255.255")])
def test_vxlan_group_is_derived_from_the_vni_as_cloudstack_does(vni: int, group: str) -> None:
    assert bridge.vxlan_group_for(vni) == group


def test_a_new_vxlan_network_is_planned_uplink_first() -> None:
    links = {"eth0": link("eth0")}
    cmds = bridge.plan_present(params(), links, "vxlan100", "239.0.0.100")
    assert [" ".join(c) for c in cmds] == [
        "ip link add vxlan100 type vxlan id 100 group 239.0.0.100 ttl 10 dev eth0 dstport 4789",
        "ip link add name brvx-100 type bridge",
        "ip link set dev vxlan100 master brvx-100",
        "ip link set dev vxlan100 up",
        "ip link set dev brvx-100 up",
    ]


def test_an_existing_network_needs_nothing() -> None:
    links = {"eth0": link("eth0"), "brvx-100": link("brvx-100", "bridge"),
             "vxlan100": link("vxlan100", "vxlan", master="brvx-100", id=100,
                              group="239.0.0.100", link="eth0", ttl=10, port=4789)}
    assert bridge.plan_present(params(), links, "vxlan100", "239.0.0.100") == []


def test_an_uplink_with_another_vni_group_is_recreated_and_a_down_bridge_brought_up() -> None:
    links = {"eth0": link("eth0"), "brvx-100": link("brvx-100", "bridge", up=False),
             "vxlan100": link("vxlan100", "vxlan", master="brvx-100", id=100,
                              group="239.9.9.9", link="eth0", ttl=10, port=4789)}
    cmds = [" ".join(c) for c in bridge.plan_present(params(), links, "vxlan100", "239.0.0.100")]
    assert cmds[0] == "ip link del dev vxlan100"
    assert cmds[1].startswith("ip link add vxlan100 type vxlan id 100 group 239.0.0.100")
    assert "ip link set dev vxlan100 master brvx-100" in cmds
    assert cmds[-1] == "ip link set dev brvx-100 up"


def test_a_device_of_another_kind_under_the_bridge_name_is_refused() -> None:
    links = {"eth0": link("eth0"), "brvx-100": link("brvx-100", "veth")}
    with pytest.raises(ValueError, match="not a bridge"):
        bridge.plan_present(params(), links, "vxlan100", "239.0.0.100")


def test_a_vlan_network_plans_an_8021q_subinterface_with_its_mtu() -> None:
    p = params(bridge="breth0-42", isolation="vlan", vni=None, vlan=42, mtu=1400)
    cmds = [" ".join(c) for c in bridge.plan_present(p, {"eth0": link("eth0")}, "eth0.42", None)]
    assert cmds == [
        "ip link add link eth0 name eth0.42 type vlan id 42",
        "ip link add name breth0-42 type bridge",
        "ip link set dev eth0.42 mtu 1400",
        "ip link set dev eth0.42 master breth0-42",
        "ip link set dev breth0-42 mtu 1400",
        "ip link set dev eth0.42 up",
        "ip link set dev breth0-42 up",
    ]


def test_mountinfo_escapes_are_undone() -> None:
    assert mount.unescape(r"/mnt/with\040space") == "/mnt/with space"
    assert mount.unescape("/plain") == "/plain"


def test_nfs_sources_compare_without_trailing_slashes() -> None:
    current = {"fstype": "nfs4", "src": "10.0.0.1:/export/", "root": "/"}
    assert mount.same_source(current, "nfs", "10.0.0.1:/export")
    assert not mount.same_source(current, "nfs", "10.0.0.2:/export")


def test_pool_shape_reads_type_and_target() -> None:
    xml = ("<pool type='dir'>\n  <name>p1</name>\n  <target>\n    <path>/var/lib/x</path>\n"
           "  </target>\n</pool>\n")
    assert pool.pool_shape(xml) == {"type": "dir", "target": "/var/lib/x"}
    assert pool.pool_shape("<pool type=\"netfs\"></pool>") == {"type": "netfs", "target": None}
