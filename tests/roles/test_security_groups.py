"""The security_groups role for real: a "host" network namespace with a bridge, two "VMs"
(network namespaces behind veth pairs whose host ends carry libvirt's tap MAC) and an
outside peer on the same bridge; packets prove what the rendered ruleset allows.

    vm1 (10.77.0.11) ─ vnet1 ┐
    vm2 (10.77.0.12) ─ vnet2 ┼─ cloudbr0   (host namespace: where the role runs)
    out (10.77.0.1)  ─ uplk0 ┘

Nothing is created in the root namespace; everything is named sgt<pid>-* and removed.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PREFIX = f"sgt{os.getpid()}-"
HOST, OUT = PREFIX + "h", PREFIX + "out"
VMS = {
    "vm1": {"ns": PREFIX + "vm1", "port": "vnet1", "mac": "02:00:4d:00:00:11", "ip": "10.77.0.11",
            "instance_name": "i-2-11-VM"},
    "vm2": {"ns": PREFIX + "vm2", "port": "vnet2", "mac": "02:00:4d:00:00:12", "ip": "10.77.0.12",
            "instance_name": "i-2-12-VM"},
}
OUT_IP = "10.77.0.1"
ANY = ["0.0.0.0/0"]

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")


def run(*cmd: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout)


def in_ns(ns: str, *cmd: str, check: bool = True,
          timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return run("ip", "netns", "exec", ns, *cmd, check=check, timeout=timeout)


def reaches(ns: str, ip: str, port: int, *, source: str | None = None) -> bool:
    extra = ["--interface", source] if source else []
    result = in_ns(ns, "curl", "-s", "--max-time", "1", *extra, f"http://{ip}:{port}/", check=False,
                   timeout=10)
    return result.returncode == 0 and result.stdout.startswith("hello")


def vm_var(name: str, ingress: list[dict[str, Any]] | None = None,
           egress: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    vm = VMS[name]
    return {"instance_name": vm["instance_name"], "mac": vm["mac"], "ip": vm["ip"],
            "bridge": "cloudbr0", "ingress": ingress or [], "egress": egress or [],
            "egress_default_allow": egress is None}


def tcp(port: int, cidrs: list[str]) -> dict[str, Any]:
    return {"protocol": "tcp", "ports": [port, port], "icmp_type": None, "icmp_code": None,
            "cidrs": cidrs}


class Role:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.state_dir = tmp / "state"

    def apply(self, vms: list[dict[str, Any]], *, check: bool = False,
              **extra: Any) -> dict[str, Any]:
        vars_file = self.tmp / "vars.json"
        vars_file.write_text(json.dumps({
            "security_group_vms": vms, "cirrus_host_state_dir": str(self.state_dir),
            # The libvirt test driver answers at once and knows none of these domains: the
            # devices are found by libvirt's tap MAC on the bridge.
            "security_groups_libvirt_uri": "test:///default", **extra}))
        env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_ROLES_PATH=str(REPO / "roles"),
                   ANSIBLE_RETRY_FILES_ENABLED="0")
        env.pop("ANSIBLE_CONFIG", None)
        result = subprocess.run(
            ["ip", "netns", "exec", HOST, str(VENV_BIN / "ansible-playbook"), "-i", "localhost,",
             "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}",
             "-e", f"@{vars_file}", *(["--check", "--diff"] if check else []),
             str(REPO / "playbooks" / "security_groups_apply.yml")],
            capture_output=True, text=True, env=env, timeout=120, check=False)
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
        recap = re.search(r"localhost\s*:\s*ok=\d+\s+changed=(\d+)", result.stdout)
        assert recap, result.stdout[-3000:]
        return {"changed": int(recap.group(1)), "output": result.stdout}


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    namespaces = [HOST, OUT, *(vm["ns"] for vm in VMS.values())]
    procs: list[subprocess.Popen[bytes]] = []
    tmp = tmp_path_factory.mktemp("sg-servers")
    server = tmp / "hello.py"
    server.write_text(
        "import sys\n"
        "from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer\n"
        "class H(BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        body = f'hello {self.client_address[0]}'.encode()\n"
        "        self.send_response(200); self.send_header('Content-Length', str(len(body)))\n"
        "        self.end_headers(); self.wfile.write(body)\n"
        "    def log_message(self, *a): pass\n"
        "ThreadingHTTPServer(('0.0.0.0', int(sys.argv[1])), H).serve_forever()\n")
    try:
        for ns in namespaces:
            run("ip", "netns", "add", ns)
            in_ns(ns, "ip", "link", "set", "lo", "up")
        in_ns(HOST, "ip", "link", "add", "cloudbr0", "type", "bridge")
        in_ns(HOST, "ip", "link", "set", "cloudbr0", "up")

        def cable(ns: str, port: str, ip: str, mac: str | None, port_mac: str | None) -> None:
            # Made inside the host namespace, one end moved out: no root-namespace links.
            in_ns(HOST, "ip", "link", "add", port, "type", "veth", "peer", "name", "eth0x")
            in_ns(HOST, "ip", "link", "set", "eth0x", "netns", ns)
            in_ns(ns, "ip", "link", "set", "eth0x", "name", "eth0")
            if port_mac:
                in_ns(HOST, "ip", "link", "set", port, "address", port_mac)
            if mac:
                in_ns(ns, "ip", "link", "set", "eth0", "address", mac)
            in_ns(HOST, "ip", "link", "set", port, "master", "cloudbr0", "up")
            in_ns(ns, "ip", "addr", "add", f"{ip}/24", "dev", "eth0")
            in_ns(ns, "ip", "link", "set", "eth0", "up")

        for vm in VMS.values():
            cable(vm["ns"], vm["port"], vm["ip"], vm["mac"], "fe" + vm["mac"][2:])
        cable(OUT, "uplk0", OUT_IP, None, None)
        # Another program's chain and FORWARD rule on the host: they must survive.
        in_ns(HOST, "iptables", "-N", "LIBVIRT_FWX")
        in_ns(HOST, "iptables", "-A", "LIBVIRT_FWX", "-s", "192.0.2.0/24", "-j", "ACCEPT")
        in_ns(HOST, "iptables", "-A", "FORWARD", "-j", "LIBVIRT_FWX")
        for ns, ports in ((VMS["vm1"]["ns"], (8080, 8081)), (VMS["vm2"]["ns"], (8080,)),
                          (OUT, (9000, 9001))):
            for port in ports:
                procs.append(subprocess.Popen(
                    ["ip", "netns", "exec", ns, sys.executable, str(server), str(port)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 10
        while not reaches(OUT, VMS["vm1"]["ip"], 8081) and time.monotonic() < deadline:
            time.sleep(0.2)
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        for ns in namespaces:
            run("ip", "netns", "del", ns, check=False)


@pytest.fixture(scope="module")
def role(topology: None, tmp_path_factory: pytest.TempPathFactory) -> Role:
    return Role(tmp_path_factory.mktemp("sg-role"))


def wanted() -> list[dict[str, Any]]:
    """vm1: web on 8080 from anywhere; vm2: 8080 from vm1 only, egress to out:9000 only."""
    return [vm_var("vm1", ingress=[tcp(8080, ANY)]),
            vm_var("vm2", ingress=[tcp(8080, [VMS["vm1"]["ip"] + "/32"])],
                   egress=[tcp(9000, [OUT_IP + "/32"])])]


def test_everything_open_before(topology: None) -> None:
    assert reaches(OUT, VMS["vm1"]["ip"], 8081)
    assert reaches(VMS["vm2"]["ns"], OUT_IP, 9001)


def test_apply_enforces_ingress(role: Role) -> None:
    first = role.apply(wanted())
    assert first["changed"] > 0
    assert in_ns(HOST, "cat", "/proc/sys/net/bridge/bridge-nf-call-iptables").stdout.strip() == "1"
    vm1, vm2 = VMS["vm1"]["ip"], VMS["vm2"]["ip"]
    assert reaches(OUT, vm1, 8080)
    assert not reaches(OUT, vm1, 8081)
    # VM to VM on one host: vm2's egress does not allow it, vm1's ingress would.
    assert not reaches(VMS["vm2"]["ns"], vm1, 8080)
    # vm2 takes 8080 from vm1 only.
    assert reaches(VMS["vm1"]["ns"], vm2, 8080)
    assert not reaches(OUT, vm2, 8080)


def test_egress_restricted_only_where_rules_exist(role: Role) -> None:
    assert reaches(VMS["vm2"]["ns"], OUT_IP, 9000)
    assert not reaches(VMS["vm2"]["ns"], OUT_IP, 9001)
    assert reaches(VMS["vm1"]["ns"], OUT_IP, 9001)  # no egress rules: open


def test_spoofed_source_is_dropped(role: Role) -> None:
    vm1 = VMS["vm1"]
    chain = "CSG-i-2-11-VM-OUT"

    def spoof_drops() -> int:
        listing = in_ns(HOST, "iptables", "-L", chain, "-v", "-n", "-x").stdout
        line = next(line for line in listing.splitlines() if "!10.77.0.11" in line)
        return int(line.split()[0])

    before = spoof_drops()
    in_ns(vm1["ns"], "ip", "addr", "add", "10.77.0.99/24", "dev", "eth0")
    try:
        assert not reaches(vm1["ns"], OUT_IP, 9001, source="10.77.0.99")
    finally:
        in_ns(vm1["ns"], "ip", "addr", "del", "10.77.0.99/24", "dev", "eth0")
    assert spoof_drops() > before
    assert reaches(vm1["ns"], OUT_IP, 9001)
    # Another MAC is dropped too.
    in_ns(vm1["ns"], "ip", "link", "set", "eth0", "address", "02:00:4d:00:00:99")
    try:
        in_ns(OUT, "ip", "neigh", "flush", "dev", "eth0")
        assert not reaches(vm1["ns"], OUT_IP, 9001)
    finally:
        in_ns(vm1["ns"], "ip", "link", "set", "eth0", "address", vm1["mac"])
        in_ns(OUT, "ip", "neigh", "flush", "dev", "eth0")


def test_second_apply_changes_nothing_and_other_chains_stay(role: Role) -> None:
    again = role.apply(wanted())
    assert again["changed"] == 0, again["output"][-4000:]
    saved = in_ns(HOST, "iptables-save", "-t", "filter").stdout
    assert "-A LIBVIRT_FWX -s 192.0.2.0/24 -j ACCEPT" in saved
    assert "-A FORWARD -j LIBVIRT_FWX" in saved
    assert saved.count("-j CIRRUS-SG") == 1
    record = (role.state_dir / "security_groups.rules").read_text()
    assert "-A CSG-i-2-11-VM-IN -p tcp -m tcp --dport 8080 -j ACCEPT" in record


def test_check_mode_reports_without_changing(role: Role) -> None:
    revoked = wanted()
    revoked[0]["ingress"] = []
    dry = role.apply(revoked, check=True)
    assert dry["changed"] > 0
    assert "-A CSG-i-2-11-VM-IN -p tcp -m tcp --dport 8080 -j ACCEPT" in dry["output"]
    assert reaches(OUT, VMS["vm1"]["ip"], 8080)


def test_revoke_closes_the_port(role: Role) -> None:
    revoked = copy.deepcopy(wanted())
    revoked[0]["ingress"] = []
    assert role.apply(revoked)["changed"] > 0
    assert not reaches(OUT, VMS["vm1"]["ip"], 8080)
    # Established replies still flow: vm1 reaches out (default egress) and gets answers.
    assert reaches(VMS["vm1"]["ns"], OUT_IP, 9001)


def test_vm_leaving_drops_its_chains(role: Role) -> None:
    only_vm2 = [wanted()[1]]
    assert role.apply(only_vm2)["changed"] > 0
    saved = in_ns(HOST, "iptables-save", "-t", "filter").stdout
    assert "CSG-i-2-11-VM" not in saved
    assert reaches(OUT, VMS["vm1"]["ip"], 8081)  # vm1 is no longer filtered
    assert not reaches(OUT, VMS["vm2"]["ip"], 8080)


def test_absent_removes_everything_of_ours(role: Role) -> None:
    assert role.apply([], security_groups_state="absent")["changed"] > 0
    saved = in_ns(HOST, "iptables-save", "-t", "filter").stdout
    assert "CSG-" not in saved and "CIRRUS-SG" not in saved
    assert "-A FORWARD -j LIBVIRT_FWX" in saved
    assert reaches(OUT, VMS["vm2"]["ip"], 8080)
    assert role.apply([], security_groups_state="absent")["changed"] == 0
