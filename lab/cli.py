"""`cirrus lab up|down|status`."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import lab
from lab import topology
from lab.hosts import LabError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("lab", help="the one-box lab: hosts in network namespaces")
    actions = parser.add_subparsers(dest="lab_command", required=True)
    p = actions.add_parser("up", help="bring the lab up (reuses a healthy lab)")
    p.add_argument("--hosts", type=int, default=2, help="number of lab hosts (default 2)")
    p.add_argument("--authorize-key", action="append", default=[], metavar="FILE",
                   help="also authorize this SSH public key file on every host (repeatable)")
    p.add_argument("--json", action="store_true", help="print the hosts as JSON")
    p.set_defaults(func=cmd_up)
    p = actions.add_parser("down", help="remove everything the lab made")
    p.add_argument("--force", action="store_true",
                   help="even while test sessions are using the lab")
    p.set_defaults(func=cmd_down)
    p = actions.add_parser("status", help="say what is up")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)


def cmd_up(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        the_lab = lab.up(hosts=args.hosts, authorize_keys=args.authorize_key)
        # A person asked for the lab: a test session that brought it up leaves it up.
        if os.path.exists(topology.SESSION_OWNED_FILE):
            os.unlink(topology.SESSION_OWNED_FILE)
    except LabError as exc:
        print(f"cirrus lab up: {exc}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    if args.json:
        print(json.dumps({"bridge": the_lab.bridge, "bridge_address": the_lab.bridge_address,
                          "public": {"netns": topology.PUBLIC_NETNS,
                                     "vlan": topology.PUBLIC_VLAN,
                                     "gateway": topology.PUBLIC_GATEWAY,
                                     "host_bridge": topology.PUBLIC_BRIDGE,
                                     "range": list(topology.PUBLIC_RANGE),
                                     "carrier": the_lab.public_carrier},
                          "basic": {"bridge": topology.BASIC_BRIDGE,
                                    "host_bridge": topology.BASIC_HOST_BRIDGE,
                                    "gateway": topology.BASIC_GATEWAY,
                                    "range": list(topology.BASIC_RANGE)},
                          "ssh_key": the_lab.ssh_key_path, "known_hosts": the_lab.known_hosts,
                          "hosts": [{"name": h.name, "netns": h.netns, "address": h.address,
                                     "qemu": h.libvirt_uri("qemu"), "lxc": h.libvirt_uri("lxc")}
                                    for h in the_lab.hosts]}, indent=2))
        return 0
    print(f"lab up in {elapsed:.1f} s: bridge {the_lab.bridge} {the_lab.bridge_address}, "
          f"ssh key {the_lab.ssh_key_path}")
    for host in the_lab.hosts:
        print(f"  {host.name}  {host.address}  netns {host.netns}  "
              f"{host.libvirt_uri('qemu')}  {host.libvirt_uri('lxc')}")
    print(f"  public VLAN {topology.PUBLIC_VLAN} ({the_lab.public_carrier}): gateway "
          f"{topology.PUBLIC_GATEWAY}/{topology.PUBLIC_PREFIX_LENGTH} in netns "
          f"{topology.PUBLIC_NETNS}, hosts' bridge {topology.PUBLIC_BRIDGE}")
    print(f"  basic zone L2 {topology.BASIC_BRIDGE}: gateway {topology.BASIC_GATEWAY}/"
          f"{topology.BASIC_PREFIX_LENGTH} in netns {topology.PUBLIC_NETNS}, hosts' bridge "
          f"{topology.BASIC_HOST_BRIDGE} (eth1)")
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    try:
        removed = lab.down(force=args.force)
    except LabError as exc:
        print(f"cirrus lab down: {exc}", file=sys.stderr)
        return 1
    for line in removed:
        print(f"removed {line}")
    if not removed:
        print("nothing of the lab was found")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    current = lab.status()
    if args.json:
        print(json.dumps(current.as_dict(), indent=2))
    else:
        bridge = "present" if current.bridge else "absent"
        print(f"lab {'up' if current.up else 'down'} (bridge {bridge})")
        for host in current.hosts:
            state = "healthy" if host.healthy else f"UNHEALTHY: {host.problem}"
            pids = ", ".join(f"{name} {pid}" for name, pid in sorted(host.pids.items()))
            print(f"  {host.name}  {host.address}  {state}  pids {pids}  "
                  f"rss {host.memory_kib // 1024} MiB")
        if current.recorded:
            carrier = current.public_carrier or "absent"
            print(f"  networks: public VLAN {topology.PUBLIC_VLAN} ({carrier}) gateway "
                  f"{topology.PUBLIC_GATEWAY} in {topology.PUBLIC_NETNS}; basic L2 "
                  f"{topology.BASIC_BRIDGE} gateway {topology.BASIC_GATEWAY}"
                  + ("" if not current.network_problems else
                     "  UNHEALTHY: " + "; ".join(current.network_problems)))
        for name in current.stray_netns + current.stray_links:
            print(f"  stray (not recorded): {name}")
    return 0 if current.up else 3
