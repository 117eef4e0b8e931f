#!/usr/bin/python
# Copyright: Cirrus contributors
# Apache License 2.0
"""Ensure or release one guest network bridge with its VXLAN or 802.1Q uplink."""

from __future__ import annotations

DOCUMENTATION = r"""
module: cirrus_guest_bridge
short_description: Guest network bridge with a VXLAN or 802.1Q uplink on a KVM host
description:
  - Reads the current links with C(ip -j -d link show), plans the C(ip) commands that bring
    them to the wanted state, and runs them (or only reports them in check mode).
  - C(isolation=vxlan) creates C(vxlan<vni>) (C(type vxlan id <vni> group <group> ttl <ttl>
    dev <physical_dev> dstport <port>)) enslaved to the bridge. The multicast group is derived
    from the VNI as CloudStack's KVM C(modifyvxlan.sh) does,
    C(239.<(vni>>16)&255>.<(vni>>8)&255>.<vni&255>).
  - C(isolation=vlan) creates the 802.1Q subinterface C(<physical_dev>.<vlan>) enslaved to the
    bridge.
  - C(state=absent) removes the uplink and the bridge, but only when no other port (a guest's
    vnet/tap) is still attached; otherwise it changes nothing, warns and returns C(busy=true).
options:
  bridge: {description: Bridge name (at most 15 characters)., type: str, required: true}
  isolation: {description: Isolation method., type: str, required: true, choices: [vxlan, vlan]}
  vni: {description: VXLAN network identifier (isolation=vxlan)., type: int}
  vlan: {description: 802.1Q VLAN id (isolation=vlan)., type: int}
  physical_dev: {description: Device carrying the uplink., type: str, required: true}
  mtu: {description: MTU of the uplink and the bridge; kernel default when omitted., type: int}
  vxlan_group: {description: Multicast group; derived from the VNI when omitted., type: str}
  vxlan_ttl: {description: TTL of VXLAN multicast packets., type: int, default: 10}
  vxlan_port: {description: VXLAN UDP destination port., type: int, default: 4789}
  state: {description: Wanted state., type: str, default: present, choices: [present, absent]}
"""

RETURN = r"""
commands:
  description: The ip commands run (or planned in check mode).
  type: list
  returned: always
uplink: {description: Name of the VXLAN or VLAN device., type: str, returned: always}
guest_ports:
  description: Ports of the bridge other than the uplink.
  type: list
  returned: always
busy:
  description: The bridge was kept because guest ports are attached.
  type: bool
  returned: always
"""

import json  # noqa: E402
import shlex  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

IFNAMSIZ = 15


def vxlan_group_for(vni: int) -> str:
    """Multicast group of a VNI, as CloudStack's modifyvxlan.sh derives it."""
    return f"239.{(vni >> 16) & 255}.{(vni >> 8) & 255}.{vni & 255}"


def uplink_name(isolation: str, physical_dev: str, vni: int | None, vlan: int | None) -> str:
    if isolation == "vxlan":
        return f"vxlan{vni}"
    return f"{physical_dev}.{vlan}"


def read_links(module: AnsibleModule) -> dict[str, dict[str, Any]]:
    rc, out, err = module.run_command(["ip", "-j", "-d", "link", "show"])
    if rc != 0:
        module.fail_json(msg=f"ip -j -d link show failed: {err.strip()}")
    return {link["ifname"]: link for link in json.loads(out or "[]")}


def link_state(link: dict[str, Any] | None) -> dict[str, Any] | None:
    """The parts of a link that this module manages, for the diff."""
    if link is None:
        return None
    info = link.get("linkinfo", {})
    data = info.get("info_data", {})
    state: dict[str, Any] = {
        "kind": info.get("info_kind", "ether"),
        "up": "UP" in link.get("flags", []),
        "mtu": link.get("mtu"),
        "master": link.get("master"),
    }
    if state["kind"] == "vxlan":
        state.update(id=data.get("id"), group=data.get("group"), dev=data.get("link"),
                     ttl=data.get("ttl"), port=data.get("port"))
    elif state["kind"] == "vlan":
        state.update(id=data.get("id"), dev=link.get("link"))
    return state


def wanted_uplink(p: dict[str, Any], group: str | None) -> dict[str, Any]:
    if p["isolation"] == "vxlan":
        return {"kind": "vxlan", "id": p["vni"], "group": group, "dev": p["physical_dev"],
                "ttl": p["vxlan_ttl"], "port": p["vxlan_port"]}
    return {"kind": "vlan", "id": p["vlan"], "dev": p["physical_dev"]}


def add_uplink_cmd(p: dict[str, Any], name: str, group: str | None) -> list[str]:
    if p["isolation"] == "vxlan":
        return ["ip", "link", "add", name, "type", "vxlan", "id", str(p["vni"]),
                "group", str(group), "ttl", str(p["vxlan_ttl"]), "dev", p["physical_dev"],
                "dstport", str(p["vxlan_port"])]
    return ["ip", "link", "add", "link", p["physical_dev"], "name", name,
            "type", "vlan", "id", str(p["vlan"])]


def plan_present(p: dict[str, Any], links: dict[str, dict[str, Any]], name: str,
                 group: str | None) -> list[list[str]]:
    bridge = p["bridge"]
    mtu = p["mtu"]
    cmds: list[list[str]] = []
    br = link_state(links.get(bridge))
    if br is not None and br["kind"] != "bridge":
        raise ValueError(f"{bridge} exists and is a {br['kind']} device, not a bridge")
    # The uplink first: when it cannot be created (no 8021q in the kernel) nothing is left over.
    up = link_state(links.get(name))
    want = wanted_uplink(p, group)
    if up is not None and any(up.get(k) != v for k, v in want.items()):
        cmds.append(["ip", "link", "del", "dev", name])
        up = None
    if up is None:
        cmds.append(add_uplink_cmd(p, name, group))
        up = {"up": False, "mtu": None, "master": None}
    if br is None:
        cmds.append(["ip", "link", "add", "name", bridge, "type", "bridge"])
        br = {"up": False, "mtu": None}
    if mtu is not None and up["mtu"] != mtu:
        cmds.append(["ip", "link", "set", "dev", name, "mtu", str(mtu)])
    if up["master"] != bridge:
        cmds.append(["ip", "link", "set", "dev", name, "master", bridge])
    if mtu is not None and br["mtu"] != mtu:
        cmds.append(["ip", "link", "set", "dev", bridge, "mtu", str(mtu)])
    if not up["up"]:
        cmds.append(["ip", "link", "set", "dev", name, "up"])
    if not br["up"]:
        cmds.append(["ip", "link", "set", "dev", bridge, "up"])
    return cmds


def wanted_after(p: dict[str, Any], name: str, group: str | None,
                 before: dict[str, Any]) -> dict[str, Any]:
    uplink = {**wanted_uplink(p, group), "up": True, "master": p["bridge"]}
    bridge = {"kind": "bridge", "up": True, "master": None}
    if p["mtu"] is not None:
        uplink["mtu"] = bridge["mtu"] = p["mtu"]
    else:
        old_up, old_br = before.get(name) or {}, before.get(p["bridge"]) or {}
        uplink["mtu"] = old_up.get("mtu") if old_up.get("kind") == uplink["kind"] else None
        bridge["mtu"] = old_br.get("mtu")
    return {p["bridge"]: bridge, name: uplink}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "bridge": {"type": "str", "required": True},
            "isolation": {"type": "str", "required": True, "choices": ["vxlan", "vlan"]},
            "vni": {"type": "int"},
            "vlan": {"type": "int"},
            "physical_dev": {"type": "str", "required": True},
            "mtu": {"type": "int"},
            "vxlan_group": {"type": "str"},
            "vxlan_ttl": {"type": "int", "default": 10},
            "vxlan_port": {"type": "int", "default": 4789},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        },
        required_if=[("isolation", "vxlan", ["vni"]), ("isolation", "vlan", ["vlan"])],
        supports_check_mode=True,
    )
    p = module.params
    if p["isolation"] == "vxlan" and not 1 <= p["vni"] <= 16777215:
        module.fail_json(msg=f"vni {p['vni']} is outside 1..16777215")
    if p["isolation"] == "vlan" and not 1 <= p["vlan"] <= 4094:
        module.fail_json(msg=f"vlan {p['vlan']} is outside 1..4094")
    name = uplink_name(p["isolation"], p["physical_dev"], p["vni"], p["vlan"])
    for ifname in (p["bridge"], name):
        if len(ifname) > IFNAMSIZ:
            module.fail_json(msg=f"interface name '{ifname}' is longer than {IFNAMSIZ} characters")
    group = None
    if p["isolation"] == "vxlan":
        group = p["vxlan_group"] or vxlan_group_for(p["vni"])

    links = read_links(module)
    before = {n: link_state(links.get(n)) for n in (p["bridge"], name)}
    ports = sorted(n for n, link in links.items() if link.get("master") == p["bridge"])
    guest_ports = [n for n in ports if n != name]
    result: dict[str, Any] = {"changed": False, "commands": [], "uplink": name,
                              "guest_ports": guest_ports, "busy": False}

    if p["state"] == "present":
        if p["physical_dev"] not in links:
            module.fail_json(msg=f"physical device '{p['physical_dev']}' does not exist", **result)
        try:
            cmds = plan_present(p, links, name, group)
        except ValueError as exc:
            module.fail_json(msg=str(exc), **result)
        after = wanted_after(p, name, group, before)
    else:
        cmds = []
        if guest_ports:
            result["busy"] = True
            module.warn(f"bridge {p['bridge']} still has guest ports attached "
                        f"({', '.join(guest_ports)}); it is kept")
            module.exit_json(msg=f"bridge {p['bridge']} kept: guest ports "
                             f"{', '.join(guest_ports)} are attached", **result)
        uplink = before[name]
        if uplink is not None and uplink["master"] in (p["bridge"], None) \
                and uplink["kind"] == p["isolation"]:
            cmds.append(["ip", "link", "del", "dev", name])
        if before[p["bridge"]] is not None:
            if before[p["bridge"]]["kind"] != "bridge":
                module.fail_json(msg=f"{p['bridge']} is not a bridge; not removing it", **result)
            cmds.append(["ip", "link", "del", "dev", p["bridge"]])
        after = {n: None for n in before}
        if uplink is not None and not any(c[-1] == name for c in cmds):
            after[name] = uplink

    result["commands"] = [shlex.join(c) for c in cmds]
    result["changed"] = bool(cmds)
    if module._diff and cmds:
        result["diff"] = {"before": json.dumps(before, indent=2, sort_keys=True) + "\n",
                          "after": json.dumps(after, indent=2, sort_keys=True) + "\n",
                          "before_header": f"{p['bridge']} (ip link)",
                          "after_header": f"{p['bridge']} (ip link)"}
    if module.check_mode:
        module.exit_json(**result)
    for cmd in cmds:
        rc, _out, err = module.run_command(cmd)
        if rc != 0:
            hint = ""
            if "type" in cmd and "vlan" in cmd and "Unknown device type" in err:
                hint = " (this kernel has no 802.1Q VLAN support: load 8021q or use vxlan)"
            module.fail_json(msg=f"'{shlex.join(cmd)}' failed: {err.strip()}{hint}", rc=rc,
                             **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
