#!/usr/bin/python
# Copyright: Cirrus contributors
# Apache License 2.0
"""The whole security group ruleset of one host, applied atomically to Cirrus' own chains."""

from __future__ import annotations

DOCUMENTATION = r"""
module: cirrus_security_groups
short_description: Enforce security groups of the VMs on one KVM/LXC host with iptables
description:
  - Finds each VM's host-side device (C(virsh domiflist) by MAC, else the port of its
    bridge whose MAC is libvirt's tap MAC C(fe:...) of the VM's), renders the filter
    table's chains of the VMs (C(<prefix>-<vm>-IN), C(<prefix>-<vm>-OUT)) and the
    dispatch chain C(main_chain) jumped to from C(FORWARD) for bridged packets, compares
    them with the live ruleset (C(iptables-save -t filter)) and, when they differ, loads
    them in one C(iptables-restore --noflush): only these chains are rewritten, chains of
    ours no longer wanted are deleted, every other chain is left alone.
  - A VM may send only from its MAC and IP (DHCP discovery from 0.0.0.0 allowed); replies
    of established connections and DHCP replies reach it; other ingress needs a rule.
    Egress is open when C(egress_default_allow), else only to the egress rules.
  - Makes sure bridged IPv4 traffic passes iptables (br_netfilter loaded,
    C(net.bridge.bridge-nf-call-iptables=1) in the host's network namespace).
options:
  vms:
    description: The VMs with security groups running on this host (see the role).
    type: list
    elements: dict
    default: []
  main_chain: {description: Dispatch chain jumped to from FORWARD., type: str, default: CIRRUS-SG}
  chain_prefix: {description: Prefix of the per-VM chains., type: str, default: CSG}
  libvirt_uri: {description: URI virsh uses to find VM devices., type: str, default: "qemu:///system"}
  state:
    description: present, or absent to remove every chain of ours.
    type: str
    default: present
    choices: [present, absent]
"""

RETURN = r"""
ruleset: {description: The iptables-restore input of our chains., type: str, returned: always}
devices: {description: VM instance name to its host-side device., type: dict, returned: always}
not_running:
  description: VMs whose device was not found (not enforced yet).
  type: list
  returned: always
"""

import hashlib  # noqa: E402
import ipaddress  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

BRIDGE_NF = "/proc/sys/net/bridge/bridge-nf-call-iptables"
CHAIN_MAX = 28
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
DHCP_CLIENT, DHCP_SERVER = 68, 67


# -- rendering (pure; unit-tested) ------------------------------------------------------

def vm_key(instance_name: str, prefix: str) -> str:
    """The per-VM part of chain names: the instance name when it fits, else a digest."""
    if SAFE_NAME.match(instance_name) and len(prefix) + len(instance_name) + 5 <= CHAIN_MAX:
        return instance_name
    return hashlib.sha1(instance_name.encode()).hexdigest()[:CHAIN_MAX - len(prefix) - 5]


def chains_of(instance_name: str, prefix: str) -> tuple[str, str]:
    key = vm_key(instance_name, prefix)
    return f"{prefix}-{key}-IN", f"{prefix}-{key}-OUT"


def _cidr(value: str) -> str:
    """A CIDR as iptables-save prints it (host bits cleared, /32 kept)."""
    return str(ipaddress.ip_network(str(value).strip(), strict=False))


def _match(rule: dict[str, Any], direction: str, cidr: str) -> str:
    """The match part of one allowing rule for one CIDR, in iptables-save's order."""
    parts: list[str] = []
    if cidr != "0.0.0.0/0":
        parts += ["-s" if direction == "ingress" else "-d", cidr]
    protocol = str(rule.get("protocol") or "all").lower()
    if protocol in ("tcp", "udp"):
        ports = rule.get("ports")
        parts += ["-p", protocol, "-m", protocol]
        if ports:
            start, end = int(ports[0]), int(ports[1] if len(ports) > 1 else ports[0])
            parts += ["--dport", str(start) if start == end else f"{start}:{end}"]
    elif protocol == "icmp":
        parts += ["-p", "icmp"]
        icmp_type = rule.get("icmp_type")
        icmp_code = rule.get("icmp_code")
        if icmp_type is not None and int(icmp_type) != -1:
            wanted = str(int(icmp_type))
            if icmp_code is not None and int(icmp_code) != -1:
                wanted += f"/{int(icmp_code)}"
            parts += ["-m", "icmp", "--icmp-type", wanted]
    elif protocol != "all":
        raise ValueError(f"unknown protocol {protocol!r}")
    return " ".join(parts)


def _allowing(chain: str, rules: list[dict[str, Any]], direction: str, target: str) -> list[str]:
    out: list[str] = []
    for rule in rules:
        for cidr in rule.get("cidrs") or []:
            match = _match(rule, direction, _cidr(cidr))
            line = f"-A {chain} {match} -j {target}" if match else f"-A {chain} -j {target}"
            if line not in out:
                out.append(line)
    return out


def render(vms: list[dict[str, Any]], *, main_chain: str = "CIRRUS-SG",
           prefix: str = "CSG") -> dict[str, list[str]]:
    """Chain name -> its rules (iptables-save lines) for VMs with a resolved `device`.

    The dispatch chain sends a VM's outgoing packets to its OUT chain (RETURN when
    allowed, DROP otherwise) before any VM's IN chain (ACCEPT or DROP), so traffic
    between two VMs of one host passes both; allowed packets to other ports are accepted
    at the end."""
    chains: dict[str, list[str]] = {main_chain: []}
    outgoing, incoming, leave = [], [], []
    for vm in sorted(vms, key=lambda v: str(v["instance_name"])):
        device = vm["device"]
        chain_in, chain_out = chains_of(str(vm["instance_name"]), prefix)
        mac = str(vm["mac"]).lower()
        ip = _cidr(f"{vm['ip']}/32")
        physdev_in = f"-m physdev --physdev-in {device} --physdev-is-bridged"
        physdev_out = f"-m physdev --physdev-out {device} --physdev-is-bridged"
        outgoing.append(f"-A {main_chain} {physdev_in} -j {chain_out}")
        incoming.append(f"-A {main_chain} {physdev_out} -j {chain_in}")
        leave.append(f"-A {main_chain} {physdev_in} -j ACCEPT")
        dhcp_request = f"-p udp -m udp --sport {DHCP_CLIENT} --dport {DHCP_SERVER}"
        out = [
            f"-A {chain_out} -m mac ! --mac-source {mac} -j DROP",
            f"-A {chain_out} -s 0.0.0.0/32 {dhcp_request} -j RETURN",
            f"-A {chain_out} ! -s {ip} -j DROP",
            f"-A {chain_out} {dhcp_request} -j RETURN",
            f"-A {chain_out} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
        ]
        if vm.get("egress_default_allow", True):
            out.append(f"-A {chain_out} -j RETURN")
        else:
            out += _allowing(chain_out, vm.get("egress") or [], "egress", "RETURN")
            out.append(f"-A {chain_out} -j DROP")
        inbound = [
            f"-A {chain_in} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            f"-A {chain_in} -p udp -m udp --sport {DHCP_SERVER} --dport {DHCP_CLIENT} -j ACCEPT",
            *_allowing(chain_in, vm.get("ingress") or [], "ingress", "ACCEPT"),
            f"-A {chain_in} -j DROP",
        ]
        chains[chain_out] = out
        chains[chain_in] = inbound
    chains[main_chain] = outgoing + incoming + leave
    return chains


def jump_rule(main_chain: str) -> str:
    return f"-A FORWARD -m physdev --physdev-is-bridged -j {main_chain}"


def parse_save(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """iptables-save's filter table: chain -> rules, and the FORWARD rules."""
    chains: dict[str, list[str]] = {}
    table = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("*"):
            table = line[1:]
        elif table != "filter" or not line or line.startswith("#"):
            continue
        elif line.startswith(":"):
            chains.setdefault(line[1:].split()[0], [])
        elif line.startswith("-A "):
            chains.setdefault(line.split()[1], []).append(line)
    return chains, chains.get("FORWARD", [])


def ours(chain: str, main_chain: str, prefix: str) -> bool:
    return chain == main_chain or chain.startswith(f"{prefix}-")


def plan(live_text: str, wanted: dict[str, list[str]], *, main_chain: str,
         prefix: str) -> tuple[bool, str, dict[str, str]]:
    """(changed, iptables-restore --noflush input, diff) turning the live filter table's
    chains of ours into `wanted` (empty `wanted`: remove them and the jump)."""
    live, forward = parse_save(live_text)
    live_ours = {name: rules for name, rules in live.items() if ours(name, main_chain, prefix)}
    jump = jump_rule(main_chain)
    has_jump = any(rule.lower() == jump.lower() for rule in forward)

    def same(a: list[str], b: list[str]) -> bool:
        return [x.lower() for x in a] == [x.lower() for x in b]

    stale = sorted(set(live_ours) - set(wanted))
    differ = sorted(name for name in wanted if name not in live_ours
                    or not same(live_ours[name], wanted[name]))
    need_jump = bool(wanted) and not has_jump
    drop_jump = not wanted and has_jump
    before = "\n".join(line for name in sorted(live_ours) for line in
                       [f":{name}", *live_ours[name]])
    after = "\n".join(line for name in sorted(wanted) for line in [f":{name}", *wanted[name]])
    diff = {"before": before + "\n" if before else "", "after": after + "\n" if after else ""}
    if not (stale or differ or need_jump or drop_jump):
        return False, "", diff
    lines = ["*filter"]
    # Declaring a chain under --noflush empties it (or creates it): only these change.
    lines += [f":{name} - [0:0]" for name in sorted(set(differ) | set(stale))]
    for name in sorted(wanted, key=lambda n: (n == main_chain, n)):
        if name in differ:
            lines += wanted[name]
    if need_jump:
        lines.append(f"-I FORWARD 1 -m physdev --physdev-is-bridged -j {main_chain}")
    if drop_jump:
        lines.append(f"-D FORWARD -m physdev --physdev-is-bridged -j {main_chain}")
    lines += [f"-X {name}" for name in stale]
    lines.append("COMMIT")
    return True, "\n".join(lines) + "\n", diff


def device_from_domiflist(text: str, mac: str) -> str | None:
    """The Interface column of `virsh domiflist` for the NIC with this MAC."""
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[-1].lower() == mac.lower() and fields[0] != "-":
            return fields[0]
    return None


def tap_mac(mac: str) -> str:
    """The MAC libvirt gives a guest's tap device: the guest's with first octet fe."""
    return "fe" + mac.lower()[2:]


# -- host side --------------------------------------------------------------------------

def find_device(module: AnsibleModule, vm: dict[str, Any], uri: str) -> str | None:
    mac = str(vm["mac"])
    virsh = module.get_bin_path("virsh")
    if virsh:
        rc, out, _ = module.run_command([virsh, "-c", uri, "domiflist",
                                         str(vm["instance_name"])])
        if rc == 0:
            found = device_from_domiflist(out, mac)
            if found:
                return found
    rc, out, _ = module.run_command(["ip", "-j", "link", "show", "master", str(vm["bridge"])])
    if rc == 0:
        for link in json.loads(out or "[]"):
            if str(link.get("address", "")).lower() == tap_mac(mac):
                return str(link["ifname"])
    return None


def ensure_bridge_netfilter(module: AnsibleModule) -> list[str]:
    """Load br_netfilter and set bridge-nf-call-iptables=1; what was (or would be) done."""
    done: list[str] = []
    if not os.path.exists(BRIDGE_NF):
        done.append("modprobe br_netfilter")
        if not module.check_mode:
            rc, _, err = module.run_command(["modprobe", "br_netfilter"])
            if rc != 0 or not os.path.exists(BRIDGE_NF):
                module.fail_json(msg=f"cannot load br_netfilter: {err.strip()}")
    current = ""
    if os.path.exists(BRIDGE_NF):
        with open(BRIDGE_NF) as handle:
            current = handle.read().strip()
    if current != "1":
        done.append("net.bridge.bridge-nf-call-iptables=1")
        if not module.check_mode:
            with open(BRIDGE_NF, "w") as handle:
                handle.write("1\n")
    return done


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "vms": {"type": "list", "elements": "dict", "default": []},
            "main_chain": {"type": "str", "default": "CIRRUS-SG"},
            "chain_prefix": {"type": "str", "default": "CSG"},
            "libvirt_uri": {"type": "str", "default": "qemu:///system"},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        },
        supports_check_mode=True,
    )
    p = module.params
    present = p["state"] == "present"
    sysctl = ensure_bridge_netfilter(module) if present and p["vms"] else []
    devices: dict[str, str] = {}
    not_running: list[str] = []
    resolved = []
    for vm in p["vms"] if present else []:
        device = find_device(module, vm, p["libvirt_uri"])
        if device is None:
            not_running.append(str(vm["instance_name"]))
            module.warn(f"no device of VM {vm['instance_name']} (MAC {vm['mac']}) on this "
                        "host: its security groups are enforced once it runs here")
            continue
        devices[str(vm["instance_name"])] = device
        resolved.append({**vm, "device": device})
    try:
        wanted = render(resolved, main_chain=p["main_chain"], prefix=p["chain_prefix"]) \
            if resolved else {}
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    rc, live, err = module.run_command(["iptables-save", "-t", "filter"])
    if rc != 0:
        module.fail_json(msg=f"iptables-save failed: {err.strip()}")
    changed, payload, diff = plan(live, wanted, main_chain=p["main_chain"],
                                  prefix=p["chain_prefix"])
    if changed and not module.check_mode:
        rc, _, err = module.run_command(["iptables-restore", "--noflush"], data=payload,
                                        binary_data=True)
        if rc != 0:
            module.fail_json(msg=f"iptables-restore --noflush failed: {err.strip()}",
                             ruleset=payload)
    ruleset = "\n".join(line for name in sorted(wanted) for line in
                        [f":{name} - [0:0]", *wanted[name]])
    module.exit_json(changed=changed or bool(sysctl), ruleset=ruleset, devices=devices,
                     not_running=not_running, sysctl=sysctl, restore=payload, diff=diff)


if __name__ == "__main__":
    main()
