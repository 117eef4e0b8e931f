"""The virtual_router role against a real router network namespace, with real packets.

Topology (all in private network namespaces named vrt<pid>-*, nothing in the root one):

    guest1 ─┐                                   ┌─ eth2 ── public (10.233.200.1, gateway)
    guest2 ─┼─ switch (bridge br0) ── eth0 router
            │
    10.1.77.0/24, gateway 10.1.77.1             public IPs 10.233.200.10-.13

The role runs inside the router namespace with a local connection, as it runs inside a
production router over SSH.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PREFIX = f"vrt{os.getpid()}-"
ROUTER, SWITCH, PUBLIC = PREFIX + "r", PREFIX + "sw", PREFIX + "pub"
GUESTS = {
    "web-1": {"ns": PREFIX + "g1", "mac": "02:00:4a:77:00:23", "ip": "10.1.77.23"},
    "web-2": {"ns": PREFIX + "g2", "mac": "02:00:4a:77:00:24", "ip": "10.1.77.24"},
}
PUBLIC_GW = "10.233.200.1"
SNAT_IP, PF_IP = "10.233.200.10", "10.233.200.11"
STATIC_IP, VPN_IP = "10.233.200.12", "10.233.200.13"
ROUTER_GUEST_IP = "10.1.77.1"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")


def run(*cmd: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout)


def in_ns(
    ns: str, *cmd: str, check: bool = True, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return run("ip", "netns", "exec", ns, *cmd, check=check, timeout=timeout)


def curl(ns: str, url: str, *extra: str, timeout: float = 2) -> subprocess.CompletedProcess[str]:
    return in_ns(ns, "curl", "-s", "--max-time", str(timeout), *extra, url, check=False,
                 timeout=timeout + 5)


def base_config() -> dict:
    g1, g2 = GUESTS["web-1"], GUESTS["web-2"]
    return {
        "name": PREFIX + "VM",
        "version": 17,
        "guest": {"interface": "eth0", "address": ROUTER_GUEST_IP, "prefix": 24,
                  "cidr": "10.1.77.0/24", "domain": "vrtest.internal", "dns_forwarders": []},
        "public": {"interface": "eth2", "gateway": PUBLIC_GW, "prefix": 24,
                   "source_nat_ip": SNAT_IP, "addresses": [SNAT_IP, PF_IP]},
        "dhcp_hosts": [{"mac": g["mac"], "ip": g["ip"], "hostname": name}
                       for name, g in GUESTS.items()],
        "port_forwarding": [
            {"public_ip": PF_IP, "protocol": "tcp", "public_ports": [8080, 8080],
             "private_ip": g1["ip"], "private_ports": [80, 80]},
            # Forwarded but without a firewall rule: must stay closed.
            {"public_ip": PF_IP, "protocol": "tcp", "public_ports": [8081, 8081],
             "private_ip": g1["ip"], "private_ports": [80, 80]},
        ],
        "static_nat": [{"public_ip": STATIC_IP, "private_ip": g2["ip"]}],
        "firewall_ingress": [
            {"public_ip": PF_IP, "protocol": "tcp", "ports": [8080, 8080], "cidrs": ["0.0.0.0/0"],
             "icmp_type": None, "icmp_code": None},
            {"public_ip": PF_IP, "protocol": "tcp", "ports": [80, 81], "cidrs": ["10.233.200.0/24"],
             "icmp_type": None, "icmp_code": None},
            {"public_ip": STATIC_IP, "protocol": "tcp", "ports": [80, 80], "cidrs": ["0.0.0.0/0"],
             "icmp_type": None, "icmp_code": None},
            {"public_ip": STATIC_IP, "protocol": "icmp", "ports": None, "cidrs": ["0.0.0.0/0"],
             "icmp_type": 8, "icmp_code": None},
        ],
        # Guests may reach public port 8000 only (the SNAT echo server listens on 8000 and 8001).
        "firewall_egress": [{"protocol": "tcp", "ports": [8000, 8000], "cidrs": ["0.0.0.0/0"]}],
        "load_balancers": [
            {"name": "web", "public_ip": PF_IP, "public_port": 80, "private_port": 80,
             "protocol": "tcp", "algorithm": "roundrobin", "members": [g1["ip"], g2["ip"]]},
            {"name": "sticky", "public_ip": PF_IP, "public_port": 81, "private_port": 80,
             "protocol": "tcp", "algorithm": "source", "members": [g1["ip"], g2["ip"]]},
        ],
        "metadata": [{"ip": g1["ip"], "data": {
            "user-data": "#cloud-config\nhostname: web-1\n", "service-offering": "Small",
            "availability-zone": "zone1", "local-ipv4": g1["ip"], "local-hostname": "web-1",
            "public-ipv4": PF_IP, "public-hostname": PF_IP, "instance-id": "i-2-5-VM",
            "vm-id": "5c1f9a4e-0000-4000-8000-000000000005"}}],
        "passwords": [{"ip": g1["ip"], "password": "s3cret"}],
        "vpn": {"public_ip": VPN_IP, "psk": "sharedkey", "server_ip": "10.1.78.1",
                "ip_range": "10.1.78.2-10.1.78.8",
                "users": [{"username": "alice", "password": "wonderland"}]},
    }


class Router:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        # The role's default: dnsmasq re-reads its files as nobody, which pytest's 0700
        # temporary directories would forbid.
        self.state_dir = Path("/var/lib/cirrus-router") / (PREFIX + "VM")
        self.config = base_config()

    def apply(self, config: dict | None = None, **extra: object) -> dict:
        """Run the role in the router namespace; returns {changed, stats, output}."""
        config = config if config is not None else self.config
        vars_file = self.tmp / "vars.json"
        vars_file.write_text(json.dumps({"router": config, **extra}))
        env = dict(os.environ, ANSIBLE_SHOW_CUSTOM_STATS="1", ANSIBLE_NOCOLOR="1",
                   ANSIBLE_ROLES_PATH=str(REPO / "roles"), ANSIBLE_RETRY_FILES_ENABLED="0")
        result = subprocess.run(
            ["ip", "netns", "exec", ROUTER, str(VENV_BIN / "ansible-playbook"), "-i", "localhost,",
             "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}",
             "-e", f"@{vars_file}", str(REPO / "playbooks" / "router_apply.yml")],
            capture_output=True, text=True, env=env, timeout=120, check=False)
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
        recap = re.search(r"localhost\s*:\s*ok=\d+\s+changed=(\d+)", result.stdout)
        stats = re.search(r"CUSTOM STATS: \*+\s*\n\s*localhost:\s*(\{.*\})", result.stdout)
        assert recap and stats, result.stdout[-3000:]
        return {"changed": int(recap.group(1)), "stats": json.loads(stats.group(1)),
                "output": result.stdout}


def kill_pidfiles(directory: Path) -> None:
    for pidfile in directory.rglob("*.pid"):
        for word in pidfile.read_text().split():
            if word.isdigit():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(word), signal.SIGKILL)


@pytest.fixture(scope="module")
def topology() -> Iterator[None]:
    namespaces = [ROUTER, SWITCH, PUBLIC, *(g["ns"] for g in GUESTS.values())]
    try:
        for ns in namespaces:
            run("ip", "netns", "add", ns)
            in_ns(ns, "ip", "link", "set", "lo", "up")
        in_ns(SWITCH, "ip", "link", "add", "br0", "type", "bridge")
        in_ns(SWITCH, "ip", "link", "set", "br0", "up")

        def cable(ns: str, dev: str, port: str, mac: str | None = None) -> None:
            # Created inside the switch namespace, one end moved out: no root-namespace links.
            in_ns(SWITCH, "ip", "link", "add", port, "type", "veth", "peer", "name", dev)
            in_ns(SWITCH, "ip", "link", "set", dev, "netns", ns)
            in_ns(SWITCH, "ip", "link", "set", port, "master", "br0", "up")
            if mac:
                in_ns(ns, "ip", "link", "set", dev, "address", mac)
            in_ns(ns, "ip", "link", "set", dev, "up")

        cable(ROUTER, "eth0", "p-router")
        for i, g in enumerate(GUESTS.values(), 1):
            cable(g["ns"], "eth0", f"p-guest{i}", g["mac"])
        in_ns(ROUTER, "ip", "link", "add", "eth2", "type", "veth", "peer", "name", "uplink")
        in_ns(ROUTER, "ip", "link", "set", "uplink", "netns", PUBLIC)
        in_ns(PUBLIC, "ip", "link", "set", "uplink", "name", "eth0")
        in_ns(ROUTER, "ip", "link", "set", "eth2", "up")
        in_ns(PUBLIC, "ip", "addr", "add", f"{PUBLIC_GW}/24", "dev", "eth0")
        in_ns(PUBLIC, "ip", "link", "set", "eth0", "up")
        yield
    finally:
        for ns in namespaces:
            run("ip", "netns", "del", ns, check=False)


@pytest.fixture(scope="module")
def servers(topology: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """An HTTP server per guest saying its name, and an echo server in the public namespace
    answering with the client's address (what SNAT made of it)."""
    tmp = tmp_path_factory.mktemp("servers")
    procs: list[subprocess.Popen[bytes]] = []
    echo = tmp / "echo.py"
    echo.write_text(
        "import sys\n"
        "from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer\n"
        "class H(BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        body = self.client_address[0].encode()\n"
        "        self.send_response(200); self.send_header('Content-Length', str(len(body)))\n"
        "        self.end_headers(); self.wfile.write(body)\n"
        "    def log_message(self, *a): pass\n"
        "ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()\n")
    try:
        for name, g in GUESTS.items():
            root = tmp / name
            root.mkdir()
            (root / "whoami").write_text(name)
            procs.append(subprocess.Popen(
                ["ip", "netns", "exec", g["ns"], sys.executable, "-m", "http.server", "80",
                 "--bind", "0.0.0.0", "--directory", str(root)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for port in ("8000", "8001"):
            procs.append(subprocess.Popen(
                ["ip", "netns", "exec", PUBLIC, sys.executable, str(echo), PUBLIC_GW, port],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def router(topology: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Router]:
    r = Router(tmp_path_factory.mktemp("router"))
    try:
        r.first = r.apply()  # type: ignore[attr-defined]
        yield r
    finally:
        if r.state_dir.exists():
            kill_pidfiles(r.state_dir)
            shutil.rmtree(r.state_dir)


@pytest.fixture(scope="module")
def leases(
    router: Router, servers: None, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, str]]:
    """Each guest configures itself with busybox udhcpc; returns the env the script saw."""
    tmp = tmp_path_factory.mktemp("dhcp")
    script = tmp / "udhcpc.sh"
    script.write_text(
        "#!/bin/sh\n"
        'env > "$DUMP.$1"\n'
        'if [ "$1" = bound ]; then\n'
        '  ip addr add "$ip/$mask" dev "$interface"\n'
        '  ip route add default via "$router" dev "$interface"\n'
        "fi\n")
    script.chmod(0o755)
    seen = {}
    for name, g in GUESTS.items():
        dump = tmp / name
        result = run("ip", "netns", "exec", g["ns"], "env", f"DUMP={dump}", "busybox", "udhcpc",
                     "-i", "eth0", "-f", "-q", "-n", "-t", "5", "-T", "1", "-s", str(script),
                     check=False, timeout=30)
        bound = Path(f"{dump}.bound")
        assert bound.exists(), result.stdout + result.stderr
        lines = bound.read_text().splitlines()
        seen[name] = dict(line.split("=", 1) for line in lines if "=" in line)
    return seen


def test_first_apply_reports_stats(router: Router) -> None:
    first = router.first  # type: ignore[attr-defined]
    assert first["changed"] > 0
    assert first["stats"] == {
        "cirrus_router": {"name": PREFIX + "VM", "version": 17, "changed": True}}
    assert (router.state_dir / "version").read_text().strip() == "17"
    assert oct((router.state_dir / "passwords.json").stat().st_mode & 0o777) == "0o600"
    addrs = in_ns(ROUTER, "ip", "-4", "-o", "addr", "show", "dev", "eth2").stdout
    assert {SNAT_IP, PF_IP, STATIC_IP, VPN_IP} <= set(re.findall(r"inet ([\d.]+)/24", addrs))


def test_dhcp_gives_each_guest_its_address_and_hostname(leases: dict[str, dict[str, str]]) -> None:
    for name, g in GUESTS.items():
        assert leases[name]["ip"] == g["ip"]
        assert leases[name]["hostname"] == name
        assert leases[name]["router"] == ROUTER_GUEST_IP
        assert leases[name]["dns"].split() == [ROUTER_GUEST_IP]
        assert leases[name]["domain"] == "vrtest.internal"


def test_dns_answers_the_guests_names(leases: dict) -> None:
    for query in ("web-2", "web-2.vrtest.internal"):
        out = in_ns(GUESTS["web-1"]["ns"], "busybox", "nslookup", query, ROUTER_GUEST_IP,
                    check=False, timeout=10)
        assert GUESTS["web-2"]["ip"] in out.stdout, out.stdout + out.stderr


def test_metadata_and_user_data_per_requesting_guest(leases: dict) -> None:
    g1, g2 = GUESTS["web-1"]["ns"], GUESTS["web-2"]["ns"]
    base = f"http://{ROUTER_GUEST_IP}/latest"
    assert curl(g1, f"{base}/user-data").stdout == "#cloud-config\nhostname: web-1\n"
    listing = curl(g1, f"{base}/meta-data/").stdout.split()
    assert "instance-id" in listing and "user-data" not in listing
    assert curl(g1, f"{base}/meta-data/instance-id").stdout == "i-2-5-VM"
    assert curl(g1, f"{base}/local-hostname").stdout == "web-1"
    status = ("-o", "/dev/null", "-w", "%{http_code}")
    assert curl(g1, f"{base}/meta-data/nonsense", *status).stdout == "404"
    # web-2 has no data: it must not see web-1's.
    assert curl(g2, f"{base}/user-data", *status).stdout == "404"


def test_password_server_send_and_acknowledge(router: Router, leases: dict) -> None:
    g1, g2 = GUESTS["web-1"]["ns"], GUESTS["web-2"]["ns"]
    url = f"http://{ROUTER_GUEST_IP}:8080/"

    def ask(ns: str, request: str) -> str:
        return curl(ns, url, "-H", f"DomU_Request: {request}").stdout

    assert ask(g2, "send_my_password") == "saved_password"
    assert ask(g1, "send_my_password") == "s3cret"
    assert ask(g1, "send_my_password") == "s3cret"
    assert ask(g1, "what") == "bad_request"
    assert ask(g1, "saved_password") == "saved_password"
    assert ask(g1, "send_my_password") == "saved_password"
    # The same password applied again stays acknowledged; a new one is served.
    router.apply()
    assert ask(g1, "send_my_password") == "saved_password"
    router.config["passwords"] = [{"ip": GUESTS["web-1"]["ip"], "password": "n3w"}]
    router.apply()
    assert ask(g1, "send_my_password") == "n3w"


def test_port_forwarding_needs_a_firewall_rule(leases: dict) -> None:
    assert curl(PUBLIC, f"http://{PF_IP}:8080/whoami").stdout == "web-1"
    refused = curl(PUBLIC, f"http://{PF_IP}:8081/whoami", timeout=1)
    assert refused.returncode != 0 and refused.stdout == ""


def test_load_balancer_round_robin_and_source(leases: dict) -> None:
    seen = [curl(PUBLIC, f"http://{PF_IP}/whoami").stdout for _ in range(4)]
    assert set(seen) == {"web-1", "web-2"}
    assert all(a != b for a, b in zip(seen, seen[1:], strict=False)), seen
    sticky = {curl(PUBLIC, f"http://{PF_IP}:81/whoami").stdout for _ in range(4)}
    assert len(sticky) == 1 and sticky <= {"web-1", "web-2"}


def test_static_nat_both_ways(leases: dict) -> None:
    assert curl(PUBLIC, f"http://{STATIC_IP}/whoami").stdout == "web-2"
    ping = in_ns(PUBLIC, "busybox", "ping", "-c", "1", "-W", "2", STATIC_IP, check=False)
    assert ping.returncode == 0, ping.stdout
    # Not in the firewall rules: closed even though static NAT forwards everything.
    assert curl(PUBLIC, f"http://{STATIC_IP}:8080/whoami", timeout=1).stdout == ""
    assert curl(GUESTS["web-2"]["ns"], f"http://{PUBLIC_GW}:8000/").stdout == STATIC_IP


def test_source_nat_and_egress_rules(leases: dict) -> None:
    g1 = GUESTS["web-1"]["ns"]
    assert curl(g1, f"http://{PUBLIC_GW}:8000/").stdout == SNAT_IP
    blocked = curl(g1, f"http://{PUBLIC_GW}:8001/", timeout=1)
    assert blocked.returncode != 0 and blocked.stdout == ""


def test_vpn_is_configured_and_open(router: Router) -> None:
    vpn = router.state_dir / "vpn"
    assert '"alice" * "wonderland" *' in (vpn / "chap-secrets").read_text()
    assert "local ip = 10.1.78.1" in (vpn / "xl2tpd.conf").read_text()
    assert oct((vpn / "ipsec.secrets").stat().st_mode & 0o777) == "0o600"
    for pidfile in ("xl2tpd.pid", "strongswan.pid"):
        pid = int((vpn / pidfile).read_text().split()[0])
        assert Path(f"/proc/{pid}").exists(), pidfile
    rules = in_ns(ROUTER, "iptables", "-S", "INPUT").stdout
    assert any(f"-d {VPN_IP}/32" in rule and "--dports 500,4500,1701 -j ACCEPT" in rule
               for rule in rules.splitlines()), rules


def test_second_apply_changes_nothing(router: Router, leases: dict) -> None:
    again = router.apply()
    assert again["changed"] == 0, again["output"][-4000:]
    assert again["stats"]["cirrus_router"]["changed"] is False


def test_check_mode_reports_without_changing(router: Router) -> None:
    config = copy.deepcopy(router.config)
    config["version"] = 99
    config["port_forwarding"] = []
    vars_file = router.tmp / "check.json"
    vars_file.write_text(json.dumps({"router": config}))
    result = subprocess.run(
        ["ip", "netns", "exec", ROUTER, str(VENV_BIN / "ansible-playbook"), "--check", "-i",
         "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}",
         "-e", f"@{vars_file}", str(REPO / "playbooks" / "router_apply.yml")],
        capture_output=True, text=True, timeout=120, check=False,
        env=dict(os.environ, ANSIBLE_ROLES_PATH=str(REPO / "roles"), ANSIBLE_NOCOLOR="1"))
    assert result.returncode == 0, result.stdout[-4000:]
    assert re.search(r"changed=[1-9]", result.stdout)
    assert (router.state_dir / "version").read_text().strip() == "17"
    assert curl(PUBLIC, f"http://{PF_IP}:8080/whoami").stdout == "web-1"


def test_flushed_ruleset_is_restored(router: Router, leases: dict) -> None:
    in_ns(ROUTER, "iptables", "-t", "nat", "-F")
    in_ns(ROUTER, "iptables", "-F")
    assert curl(PUBLIC, f"http://{PF_IP}:8080/whoami", timeout=1).stdout == ""
    assert router.apply()["changed"] > 0
    assert curl(PUBLIC, f"http://{PF_IP}:8080/whoami").stdout == "web-1"
    # vr_force restores even though nothing changed and the live ruleset is ours.
    forced = router.apply(vr_force=True)
    assert forced["changed"] == 1 and "Restore the ruleset atomically" in forced["output"]


def test_removed_rules_and_services_go_away(router: Router, leases: dict) -> None:
    config = router.config
    config["version"] = 18
    config["port_forwarding"] = []
    config["firewall_ingress"] = [r for r in config["firewall_ingress"] if r["public_ip"] != PF_IP]
    config["load_balancers"] = []
    config["vpn"] = None
    config["public"]["addresses"] = [SNAT_IP]
    result = router.apply()
    assert result["stats"]["cirrus_router"] == {
        "name": PREFIX + "VM", "version": 18, "changed": True}
    assert (router.state_dir / "version").read_text().strip() == "18"
    assert curl(PUBLIC, f"http://{PF_IP}:8080/whoami", timeout=1).stdout == ""
    assert not (router.state_dir / "haproxy.pid").exists()
    assert not (router.state_dir / "vpn").exists()
    addrs = in_ns(ROUTER, "ip", "-4", "-o", "addr", "show", "dev", "eth2").stdout
    assert set(re.findall(r"inet ([\d.]+)/24", addrs)) == {SNAT_IP, STATIC_IP}
    # The rest still works.
    assert curl(PUBLIC, f"http://{STATIC_IP}/whoami").stdout == "web-2"
    assert router.apply()["changed"] == 0
