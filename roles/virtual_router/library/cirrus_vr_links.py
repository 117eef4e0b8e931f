#!/usr/bin/python
# Copyright: Cirrus contributors
# Apache License 2.0
"""Addresses, default route and forwarding of the virtual router's guest and public sides."""

from __future__ import annotations

DOCUMENTATION = r"""
module: cirrus_vr_links
short_description: Bring the router's guest and public interfaces to the wanted addresses
description:
  - Reads C(ip -j addr) and C(ip -j route) of the machine or network namespace it runs in,
    adds the wanted IPv4 addresses, removes every other global IPv4 address of those
    interfaces, sets the default route via the public gateway and turns on IPv4 forwarding.
  - The control interface (eth1) is never touched.
options:
  guest:
    description: "C({interface, address, prefix})."
    type: dict
    required: true
  public:
    description:
      - C({interface, addresses, prefix, gateway}), or null when the network has no public side.
    type: dict
"""

RETURN = r"""
commands:
  description: The ip commands run (or planned in check mode).
  type: list
  returned: always
"""

import json  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

FORWARD_SYSCTL = "/proc/sys/net/ipv4/ip_forward"


def ip_json(module: AnsibleModule, *args: str) -> list[dict[str, Any]]:
    rc, out, err = module.run_command(["ip", "-j", *args], check_rc=False)
    if rc != 0:
        module.fail_json(msg=f"ip {' '.join(args)} failed: {err.strip()}")
    return json.loads(out or "[]")


def plan_interface(module: AnsibleModule, dev: str, wanted: dict[str, int]) -> list[list[str]]:
    """Commands that leave exactly the `wanted` {address: prefix} as the global IPv4 of dev."""
    links = ip_json(module, "addr", "show", "dev", dev) if link_exists(module, dev) else []
    if not links:
        module.fail_json(msg=f"interface {dev} does not exist on the router")
    link = links[0]
    commands: list[list[str]] = []
    present = {
        (a["local"], int(a["prefixlen"]))
        for a in link.get("addr_info", [])
        if a.get("family") == "inet" and a.get("scope") == "global"
    }
    for address, prefix in sorted(present):
        if wanted.get(address) != prefix:
            commands.append(["ip", "addr", "del", f"{address}/{prefix}", "dev", dev])
    for address, prefix in wanted.items():
        if (address, prefix) not in present:
            commands.append(["ip", "addr", "add", f"{address}/{prefix}", "dev", dev])
    if "UP" not in link.get("flags", []):
        commands.insert(0, ["ip", "link", "set", dev, "up"])
    return commands


def link_exists(module: AnsibleModule, dev: str) -> bool:
    rc, _, _ = module.run_command(["ip", "link", "show", "dev", dev], check_rc=False)
    return rc == 0


def plan_default_route(module: AnsibleModule, dev: str, gateway: str) -> list[list[str]]:
    routes = ip_json(module, "-4", "route", "show", "default")
    if len(routes) == 1 and routes[0].get("gateway") == gateway and routes[0].get("dev") == dev:
        return []
    return [["ip", "route", "replace", "default", "via", gateway, "dev", dev]]


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            guest=dict(type="dict", required=True),
            public=dict(type="dict"),
        ),
        supports_check_mode=True,
    )
    guest = module.params["guest"]
    public = module.params["public"]

    commands = plan_interface(module, guest["interface"],
                              {guest["address"]: int(guest["prefix"])})
    if public:
        commands += plan_interface(
            module, public["interface"],
            {address: int(public["prefix"]) for address in public["addresses"]})
    # The route goes in after the addresses: the gateway must be on a connected subnet.
    route_commands = []
    if public and public.get("gateway"):
        route_commands = plan_default_route(module, public["interface"], public["gateway"])

    with open(FORWARD_SYSCTL) as f:
        forwarding = f.read().strip() == "1"

    changed = bool(commands or route_commands or not forwarding)
    planned = [" ".join(c) for c in commands + route_commands]
    if not forwarding:
        planned.append("sysctl -w net.ipv4.ip_forward=1")
    if module.check_mode or not changed:
        module.exit_json(changed=changed, commands=planned)

    for command in commands:
        module.run_command(command, check_rc=True)
    if route_commands:
        # Planned before the addresses existed; recheck so a re-run stays quiet.
        for command in plan_default_route(module, public["interface"], public["gateway"]):
            module.run_command(command, check_rc=True)
    if not forwarding:
        with open(FORWARD_SYSCTL, "w") as f:
            f.write("1\n")
    module.exit_json(changed=True, commands=planned)


if __name__ == "__main__":
    main()
