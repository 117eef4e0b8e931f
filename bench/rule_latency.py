"""How long a rule takes to carry traffic, and how many router runs concurrent changes
cost: the virtual router on the one-box lab through the real API.

Brings the lab up, starts `cirrus serve` on loopback, builds an advanced zone (LXC on lab
host h1, public VLAN 100 where the lab's `cirlab-pub` namespace is the internet), deploys
one guest serving HTTP, then:

1. `--rules` times: createPortForwardingRule on a fresh public port, then from cirlab-pub
   connect to it every 50 ms; the time from the API call to the first answered request.
   Prints the median and p90 seconds (the job itself is included: it ends once the router
   applied the rule).
2. `--changes` createFirewallRule calls at once (distinct ports, `--concurrency` client
   threads), each followed to its job's end; prints how many router_apply playbook runs
   they caused (the run directories the automation bridge made), and the wall time.

    .venv/bin/python bench/rule_latency.py [--rules 10] [--changes 100] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import lab  # noqa: E402
from lab import topology  # noqa: E402
from tests.support.image_server import start_image_server  # noqa: E402
from tests.support.lab_cloud import add_zone, lab_cloud  # noqa: E402
from tests.support.waiting import eventually  # noqa: E402

PUBLIC_NS = topology.PUBLIC_NETNS
GUEST_PORT = 8000


def answered(url: str) -> bool:
    return subprocess.run(["ip", "netns", "exec", PUBLIC_NS, "curl", "-s", "-o", "/dev/null",
                           "--max-time", "1", url], timeout=10).returncode == 0


def router_runs(home: str) -> int:
    return len(glob.glob(os.path.join(home, "automation", "runs", "*router_apply*")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=10)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()

    the_lab = lab.up(hosts=2)
    files = start_image_server()
    with lab_cloud(hosts=2) as cloud:
        zone = add_zone(cloud, the_lab, files, kinds=("lxc",), isolation="vxlan", public={
            "vlan": str(topology.PUBLIC_VLAN),
            "gateway": topology.PUBLIC_GATEWAY,
            "netmask": "255.255.255.0", "startip": "10.233.100.10",
            "endip": "10.233.100.60"})
        user = cloud.as_user(cloud.new_account())
        user.job_timeout = 1800  # concurrent changes queue behind each other's jobs
        vm = user.deployVirtualMachine(zoneid=zone["zone"], serviceofferingid=zone["offering"],
                                       templateid=zone["lxc-template"], name="bench-web",
                                       fetch_result=True)["virtualmachine"]
        instance = cloud.admin.listVirtualMachines(id=vm["id"], listall=True)[
            "virtualmachine"][0]["instancename"]
        host = the_lab.hosts[0]
        with open(host.host_path(f"/run/libvirt/lxc/{instance}.pid")) as handle:
            controller = int(handle.read())
        with open(f"/proc/{controller}/task/{controller}/children") as handle:
            guest_pid = int(handle.read().split()[0])
        server = subprocess.Popen(["nsenter", "-t", str(guest_pid), "-n", "--", "python3",
                                   "-m", "http.server", str(GUEST_PORT), "--directory", "/tmp"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            ip = user.associateIpAddress(zoneid=zone["zone"], fetch_result=True)[
                "ipaddress"]
            latencies = []
            for index in range(args.rules):
                port = 9000 + index
                began = time.monotonic()
                user.createPortForwardingRule(ipaddressid=ip["id"], protocol="tcp",
                                              publicport=port, privateport=GUEST_PORT,
                                              virtualmachineid=vm["id"], fetch_result=True)
                url = f"http://{ip['ipaddress']}:{port}/"
                eventually(lambda u=url: answered(u), 30, f"port {port}", interval=0.05)
                latencies.append(time.monotonic() - began)
            latencies.sort()
            print(f"rule to first connection: median {statistics.median(latencies):.2f} s, "
                  f"p90 {latencies[int(0.9 * (len(latencies) - 1))]:.2f} s "
                  f"over {len(latencies)} rules")

            other = user.associateIpAddress(zoneid=zone["zone"], fetch_result=True)[
                "ipaddress"]
            before = router_runs(cloud.server.home)
            began = time.monotonic()

            def change(index: int) -> None:
                user.createFirewallRule(ipaddressid=other["id"], protocol="tcp",
                                        startport=20000 + index, endport=20000 + index,
                                        fetch_result=True)

            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(change, range(args.changes)))
            wall = time.monotonic() - began
            runs = router_runs(cloud.server.home) - before
            print(f"{args.changes} concurrent rule changes: {runs} router_apply runs, "
                  f"{wall:.1f} s wall until every job ended")
        finally:
            server.terminate()
            server.wait(10)
            files.stop()
            shutil.rmtree(zone.shared_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
