#!/usr/bin/python
# Copyright: Cirrus contributors
# Apache License 2.0
"""A virtual router hosted as a network namespace: its veths, control address and sshd."""

from __future__ import annotations

DOCUMENTATION = r"""
module: cirrus_router_netns
short_description: Host a virtual router as a network namespace on a KVM/LXC host
description:
  - C(state=present) makes the link-local bridge (C(cloud0), 169.254.0.1/16, no uplink), the
    network namespace C(name), C(lo) up, one veth pair per interface (the inside end named
    C(eth0)/C(eth2)... with the given MAC, the host end a port of the given bridge) plus
    C(eth1) on the link-local bridge with C(control_ip)/16, all up; then starts
    C(/usr/sbin/sshd -f sshd_config) inside the namespace (C(nsenter --net)) unless the
    process of its pid file lives there, or restarts it when C(restart_sshd) is true.
  - Host ends are named C(vr<8 hex of sha1(name)>-<N>) for C(ethN), so router names of any
    length fit in 15 characters and C(state=absent) finds them from the name alone.
  - C(state=absent) kills every process in the namespace (TERM, then KILL), deletes the host
    ends and the namespace. Nothing to do when they are gone.
  - Supports check mode and diff (the commands it would run).
options:
  name: {description: Router instance name (also the namespace's)., type: str, required: true}
  state: {description: Wanted state., type: str, default: present, choices: [present, absent]}
  control_ip: {description: Address of eth1 (prefix control_prefix)., type: str}
  control_prefix: {description: Prefix length of control_ip., type: int, default: 16}
  control_mac:
    description: MAC of eth1; 0e:00:a9:fe:<c>:<d> of control_ip when omitted.
    type: str
  control_bridge: {description: Host bridge of eth1., type: str, default: cloud0}
  control_bridge_address:
    description: Address of the control bridge.
    type: str
    default: 169.254.0.1/16
  interfaces:
    description: Other interfaces, as C({name: ethN, bridge, mac}); the bridges must exist.
    type: list
    elements: dict
    default: []
  ssh_port: {description: Port sshd listens on (control_ip)., type: int, default: 3922}
  sshd_config: {description: sshd configuration file (present)., type: path}
  sshd_pid_file: {description: PidFile of that configuration., type: path}
  sshd_log: {description: Log file of sshd (-E)., type: path}
  restart_sshd:
    description: Restart a running sshd (its configuration changed).
    type: bool
    default: false
"""

RETURN = r"""
commands: {description: What was run (or would be in check mode)., type: list, returned: always}
host_interfaces: {description: Host end of each inside interface., type: dict, returned: always}
sshd_pid: {description: pid of the router's sshd (0 when not running)., type: int, returned: always}
killed: {description: pids killed (absent)., type: list, returned: always}
"""

import contextlib  # noqa: E402
import hashlib  # noqa: E402
import ipaddress  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shlex  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

NETNS_DIR = "/run/netns"
CONTROL_INTERFACE = "eth1"


def host_prefix(name: str) -> str:
    """The host ends' common prefix: vr + 8 hex digits of sha1(name)."""
    return "vr" + hashlib.sha1(name.encode()).hexdigest()[:8]


def host_end(name: str, inside: str) -> str:
    """Host end of the inside interface `inside` (ethN -> vr<hash>-N)."""
    suffix = inside[3:] if inside.startswith("eth") else inside
    end = f"{host_prefix(name)}-{suffix}"
    if len(end) > 15:
        raise ValueError(f"interface name {inside!r} gives a host end longer than 15 characters")
    return end


def control_mac(control_ip: str) -> str:
    """CloudStack's link-local MAC shape: 0e:00:a9:fe + the address's last two octets."""
    octets = ipaddress.ip_address(control_ip).packed
    return f"0e:00:a9:fe:{octets[2]:02x}:{octets[3]:02x}"


def wanted_interfaces(p: dict[str, Any]) -> list[dict[str, str]]:
    """Every inside interface (eth1 included), with its bridge, MAC and host end."""
    wanted = [{"name": CONTROL_INTERFACE, "bridge": p["control_bridge"],
               "mac": (p["control_mac"] or control_mac(p["control_ip"])).lower()}]
    for item in p["interfaces"]:
        if item.get("name") == CONTROL_INTERFACE:
            raise ValueError("eth1 is the control interface; do not list it in interfaces")
        if not item.get("name") or not item.get("bridge") or not item.get("mac"):
            raise ValueError(f"interface {item} needs a name, a bridge and a mac")
        wanted.append({"name": item["name"], "bridge": item["bridge"],
                       "mac": str(item["mac"]).lower()})
    for item in wanted:
        item["host"] = host_end(p["name"], item["name"])
    return wanted


def plan_present(p: dict[str, Any], host_links: dict[str, dict[str, Any]],
                 netns_ok: bool, inside_links: dict[str, dict[str, Any]],
                 control_addresses: list[str], bridge_addresses: list[str],
                 wanted: list[dict[str, str]], check_mode: bool = False) -> list[list[str]]:
    """The ip commands that bring the host and the namespace to the wanted state. In check
    mode a missing bridge is no error (the play's guest_network step would make it)."""
    name = p["name"]
    cmds: list[list[str]] = []
    bridge = p["control_bridge"]
    if bridge not in host_links:
        cmds.append(["ip", "link", "add", "name", bridge, "type", "bridge"])
    elif host_links[bridge].get("linkinfo", {}).get("info_kind") != "bridge":
        raise ValueError(f"{bridge} exists and is not a bridge")
    if p["control_bridge_address"] not in bridge_addresses:
        cmds.append(["ip", "addr", "add", p["control_bridge_address"], "dev", bridge])
    if bridge not in host_links or "UP" not in host_links[bridge].get("flags", []):
        cmds.append(["ip", "link", "set", "dev", bridge, "up"])
    for item in wanted:
        if item["bridge"] != bridge and item["bridge"] not in host_links and not check_mode:
            raise ValueError(f"bridge {item['bridge']} of {item['name']} does not exist on this "
                             "host (guest_network makes guest and public bridges)")
    if not netns_ok:
        if os.path.lexists(os.path.join(NETNS_DIR, name)):
            cmds.append(["ip", "netns", "del", name])  # a stale file, not a namespace
        cmds.append(["ip", "netns", "add", name])
        inside_links = {}
    inside = ["ip", "-n", name]
    lo = inside_links.get("lo")
    if lo is None or "UP" not in lo.get("flags", []):
        cmds.append([*inside, "link", "set", "dev", "lo", "up"])
    for item in wanted:
        link = inside_links.get(item["name"])
        host = host_links.get(item["host"])
        if link is not None and (link.get("linkinfo", {}).get("info_kind") != "veth"
                                 or host is None):
            cmds.append([*inside, "link", "del", "dev", item["name"]])
            link = None
        if link is None:
            if host is not None:
                cmds.append(["ip", "link", "del", "dev", item["host"]])
            cmds.append(["ip", "link", "add", item["host"], "type", "veth", "peer", "name",
                         item["name"], "netns", name])
            link, host = {"flags": []}, {"flags": []}
        if str(link.get("address", "")).lower() != item["mac"]:
            cmds.append([*inside, "link", "set", "dev", item["name"], "address", item["mac"]])
        if host.get("master") != item["bridge"]:
            cmds.append(["ip", "link", "set", "dev", item["host"], "master", item["bridge"]])
        if "UP" not in host.get("flags", []):
            cmds.append(["ip", "link", "set", "dev", item["host"], "up"])
        if "UP" not in link.get("flags", []):
            cmds.append([*inside, "link", "set", "dev", item["name"], "up"])
    control = f"{p['control_ip']}/{p['control_prefix']}"
    for address in control_addresses:
        if address != control:
            cmds.append([*inside, "addr", "del", address, "dev", CONTROL_INTERFACE])
    if control not in control_addresses:
        cmds.append([*inside, "addr", "add", control, "dev", CONTROL_INTERFACE])
    return cmds


# ---- reading the host --------------------------------------------------------------------

def run(module: AnsibleModule, argv: list[str], check: bool = True) -> str:
    rc, out, err = module.run_command(argv)
    if check and rc != 0:
        module.fail_json(msg=f"'{shlex.join(argv)}' failed (rc {rc}): {err.strip()}")
    return out


def links(module: AnsibleModule, netns: str | None = None) -> dict[str, dict[str, Any]]:
    argv = ["ip", "-j", "-d", "link", "show"] if netns is None else \
        ["ip", "-n", netns, "-j", "-d", "link", "show"]
    return {link["ifname"]: link for link in json.loads(run(module, argv) or "[]")}


def addresses(module: AnsibleModule, device: str, netns: str | None = None) -> list[str]:
    argv = (["ip", "-n", netns] if netns else ["ip"]) + ["-j", "-4", "addr", "show", "dev", device]
    rc, out, _err = module.run_command(argv)
    if rc != 0:
        return []
    return [f"{a['local']}/{a['prefixlen']}" for link in json.loads(out or "[]")
            for a in link.get("addr_info", [])]


def netns_inode(name: str) -> int:
    try:
        return os.stat(os.path.join(NETNS_DIR, name)).st_ino
    except OSError:
        return 0


def netns_usable(module: AnsibleModule, name: str) -> bool:
    """A real namespace is mounted on /run/netns/<name> (not a stale empty file)."""
    if not os.path.exists(os.path.join(NETNS_DIR, name)):
        return False
    rc, _out, _err = module.run_command(["ip", "-n", name, "link", "show", "dev", "lo"])
    return rc == 0


def netns_pids(module: AnsibleModule, name: str) -> list[int]:
    rc, out, _err = module.run_command(["ip", "netns", "pids", name])
    return [int(word) for word in out.split() if word.isdigit()] if rc == 0 else []


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def sshd_pid(p: dict[str, Any]) -> int:
    """The router's sshd: the pid file's process, alive, named sshd, in the namespace."""
    try:
        with open(p["sshd_pid_file"], encoding="utf-8") as handle:
            pid = int(handle.read().strip() or 0)
    except (OSError, ValueError, TypeError):
        return 0
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8") as handle:
            comm = handle.read().strip()
        same_netns = os.stat(f"/proc/{pid}/ns/net").st_ino == netns_inode(p["name"])
    except OSError:
        return 0
    return pid if pid_alive(pid) and comm == "sshd" and same_netns else 0


def kill(pids: list[int], timeout: float = 10.0) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    pending = [pid for pid in pids if pid_alive(pid)]
    while pending and time.monotonic() < deadline:
        time.sleep(0.05)
        pending = [pid for pid in pending if pid_alive(pid)]
    for pid in pending:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def wait_for_port(address: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


# ---- the states --------------------------------------------------------------------------

def present(module: AnsibleModule, result: dict[str, Any]) -> None:
    p = module.params
    for option in ("control_ip", "sshd_config", "sshd_pid_file"):
        if not p[option]:
            module.fail_json(msg=f"state=present needs {option}", **result)
    try:
        wanted = wanted_interfaces(p)
    except ValueError as exc:
        module.fail_json(msg=str(exc), **result)
    result["host_interfaces"] = {item["name"]: item["host"] for item in wanted}
    host_links = links(module)
    ok = netns_usable(module, p["name"])
    inside_links = links(module, p["name"]) if ok else {}
    control_addresses = addresses(module, CONTROL_INTERFACE, p["name"]) if ok else []
    bridge_addresses = addresses(module, p["control_bridge"]) \
        if p["control_bridge"] in host_links else []
    try:
        cmds = plan_present(p, host_links, ok, inside_links, control_addresses,
                            bridge_addresses, wanted, module.check_mode)
    except ValueError as exc:
        module.fail_json(msg=str(exc), **result)
    pid = sshd_pid(p) if ok else 0
    start = ["nsenter", f"--net={os.path.join(NETNS_DIR, p['name'])}", "/usr/sbin/sshd",
             "-f", p["sshd_config"]] + (["-E", p["sshd_log"]] if p["sshd_log"] else [])
    restart = bool(pid) and p["restart_sshd"]
    result["commands"] = [shlex.join(c) for c in cmds]
    if restart:
        result["commands"].append(f"kill {pid}")
    if not pid or restart:
        result["commands"].append(shlex.join(start))
    result["changed"] = bool(result["commands"])
    if module._diff and result["changed"]:
        result["diff"] = {"before_header": f"router {p['name']}", "after_header":
                          f"router {p['name']}", "before": "", "after":
                          "".join(f"{c}\n" for c in result["commands"])}
    result["sshd_pid"] = pid
    if module.check_mode:
        module.exit_json(**result)
    for cmd in cmds:
        run(module, cmd)
    if restart:
        kill([pid])
    if not pid or restart:
        run(module, start)
        deadline = time.monotonic() + 15
        while not (pid := sshd_pid(p)) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not pid or not wait_for_port(p["control_ip"], p["ssh_port"],
                                        max(1.0, deadline - time.monotonic())):
            log = ""
            if p["sshd_log"] and os.path.exists(p["sshd_log"]):
                with open(p["sshd_log"], encoding="utf-8", errors="replace") as handle:
                    log = handle.read()[-2000:]
            module.fail_json(msg=f"sshd of router {p['name']} did not start listening on "
                             f"{p['control_ip']}:{p['ssh_port']}: {log.strip()}", **result)
        result["sshd_pid"] = pid
    module.exit_json(**result)


def absent(module: AnsibleModule, result: dict[str, Any]) -> None:
    name = module.params["name"]
    prefix = host_prefix(name) + "-"
    ends = sorted(n for n in links(module) if n.startswith(prefix))
    exists = os.path.lexists(os.path.join(NETNS_DIR, name))
    pids = netns_pids(module, name) if exists else []
    cmds = [["ip", "link", "del", "dev", end] for end in ends]
    if exists:
        cmds.append(["ip", "netns", "del", name])
    result["commands"] = ([f"kill {' '.join(map(str, pids))}"] if pids else []) + \
        [shlex.join(c) for c in cmds]
    result["killed"] = pids
    result["changed"] = bool(result["commands"])
    if module._diff and result["changed"]:
        result["diff"] = {"before_header": f"router {name}", "after_header": f"router {name}",
                          "before": "".join(f"{c}\n" for c in result["commands"]), "after": ""}
    if module.check_mode:
        module.exit_json(**result)
    kill(pids)
    for cmd in cmds:
        run(module, cmd, check=False)
    left = [n for n in links(module) if n.startswith(prefix)]
    if left or os.path.lexists(os.path.join(NETNS_DIR, name)):
        module.fail_json(msg=f"router {name}: could not remove {left or 'its namespace'}",
                         **result)
    module.exit_json(**result)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
            "control_ip": {"type": "str"},
            "control_prefix": {"type": "int", "default": 16},
            "control_mac": {"type": "str"},
            "control_bridge": {"type": "str", "default": "cloud0"},
            "control_bridge_address": {"type": "str", "default": "169.254.0.1/16"},
            "interfaces": {"type": "list", "elements": "dict", "default": []},
            "ssh_port": {"type": "int", "default": 3922},
            "sshd_config": {"type": "path"},
            "sshd_pid_file": {"type": "path"},
            "sshd_log": {"type": "path"},
            "restart_sshd": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    name = module.params["name"]
    if not name or "/" in name or name in (".", "..") or len(name) > 200:
        module.fail_json(msg=f"router name {name!r} cannot name a network namespace")
    result: dict[str, Any] = {"changed": False, "commands": [], "host_interfaces": {},
                              "sshd_pid": 0, "killed": []}
    if module.params["state"] == "present":
        present(module, result)
    else:
        absent(module, result)


if __name__ == "__main__":
    main()
