"""How fast the whole deploy path runs: N VMs on H simulated hosts through the real API.

Starts a real `cirrus serve` on loopback (API workers + job-worker processes), builds a
simulator zone of H hosts (C clusters, one primary pool each) with the same applier
`cirrus demo` uses, then submits N `deployVirtualMachine` calls from `--concurrency`
client threads, each following its job to the end (signed by the `cs` library), and
prints total seconds, deploys/s, failures by error code and per-deploy latency.

    .venv/bin/python bench/deploy_sim.py [--vms 1000] [--hosts 1000] [--clusters 10]
        [--concurrency 32] [--job-workers 2] [--job-threads 8]
        [--database-url mysql+pymysql://...]

Every deploy runs the whole path: signature check, validation, limits, the VM and volume
rows, the job, placement with its reservation, the simulator's start, the final state.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cs import CloudStack, CloudStackApiException

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.support import datacenter, server  # noqa: E402
from tests.support.cloud import Cloud  # noqa: E402

ZONE = "bench"


def spec(hosts: int, clusters: int) -> dict[str, Any]:
    """One advanced zone with `hosts` simulator hosts spread over `clusters` clusters."""
    per = [hosts // clusters + (1 if i < hosts % clusters else 0) for i in range(clusters)]
    base = iter(range(hosts))
    return {
        "zones": [{
            "name": ZONE, "networktype": "Advanced", "dns1": "203.0.113.53",
            "internaldns1": "172.16.0.53", "vlan": "100-999",
            "pods": [{
                "name": "bench-pod", "gateway": "172.16.30.1", "netmask": "255.255.255.0",
                "startip": "172.16.30.10", "endip": "172.16.30.200",
                "clusters": [{
                    "name": f"bench-c{c}", "hypervisor": "Simulator",
                    "hosts": [{"url": f"http://sim/bench-h{next(base)}"
                                      "?cpus=8&cpuspeed=2000&memory=16384"}
                              for _ in range(per[c])],
                    "primary_storage": [{
                        "name": f"bench-primary-{c}",
                        "url": f"nfs://203.0.113.10/export/bench/{c}"
                    }],
                } for c in range(clusters)],
            }],
            "secondary_storage": [{"name": "bench-secondary",
                                   "url": "file://${CIRRUS_HOME}/secondary/bench"}],
        }],
        "service_offerings": [{"name": datacenter.OFFERING, "cpunumber": 1, "cpuspeed": 500,
                               "memory": 512}],
        "templates": [{"name": datacenter.TEMPLATE,
                       "url": "${CIRRUS_URL}/demo/templates/centos56-x86_64-simulator.qcow2",
                       "ostype": "CentOS 5.6 (64-bit)", "hypervisor": "Simulator",
                       "format": "QCOW2", "ispublic": True, "isfeatured": True}],
    }


def deploy(client: CloudStack, ids: dict[str, str]) -> tuple[int, float]:
    """(0 or the error code, seconds) of one deploy followed to its end."""
    began = time.perf_counter()
    try:
        client.deployVirtualMachine(zoneid=ids[ZONE], serviceofferingid=ids[datacenter.OFFERING],
                                    templateid=ids[datacenter.TEMPLATE], fetch_result=True)
        code = 0
    except CloudStackApiException as error:
        detail = error.error
        code = int(detail["errorcode"]) if isinstance(detail, dict) and "errorcode" in detail \
            else int(error.response.status_code)
    return code, time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vms", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--clusters", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=32, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="API worker processes")
    parser.add_argument("--job-workers", type=int, default=2, help="job worker processes")
    parser.add_argument("--job-threads", type=int, default=8, help="threads per job worker")
    parser.add_argument("--database-url", help="an existing, empty database "
                        "(default: a fresh SQLite file in a temporary CIRRUS_HOME)")
    args = parser.parse_args(argv)

    home = tempfile.mkdtemp(prefix="cirrus-bench-")
    url = args.database_url or f"sqlite:///{os.path.join(home, 'cirrus.db')}"
    creds = server.init(url, home)
    srv = server.start(url, home=home, workers=args.workers, job_workers=args.job_workers,
                       job_threads=args.job_threads)
    try:
        cloud = Cloud(srv, creds["apikey"], creds["secretkey"], creds["password"])
        began = time.perf_counter()
        ids = datacenter.build(cloud, spec(args.hosts, args.clusters))
        print(f"datacenter: {args.hosts} hosts in {args.clusters} clusters built through the "
              f"API in {time.perf_counter() - began:.1f} s", flush=True)

        local = threading.local()

        def one(_: int) -> tuple[int, float]:
            if not hasattr(local, "client"):
                local.client = CloudStack(endpoint=cloud.endpoint, key=cloud.admin_key,
                                          secret=cloud.admin_secret, timeout=60,
                                          job_timeout=600, poll_interval=0.2)
            return deploy(local.client, ids)

        began = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(one, range(args.vms)))
        seconds = time.perf_counter() - began
        codes = Counter(code for code, _ in results)
        latencies = sorted(t for code, t in results if code == 0)
        running = cloud.admin.listVirtualMachines(zoneid=ids[ZONE], state="Running",
                                                  listall=True, pagesize=1).get("count", 0)
        backend = "MariaDB" if url.startswith("mysql") else "SQLite"
        print(f"backend            {backend}; {args.workers} API workers, {args.job_workers} "
              f"job workers x {args.job_threads} threads; {args.concurrency} clients")
        print(f"deploys            {args.vms} on {args.hosts} simulated hosts")
        print(f"total seconds      {seconds:.1f}")
        print(f"deploys/s          {args.vms / seconds:.1f}")
        print(f"succeeded          {codes.get(0, 0)} (Running per listVirtualMachines: "
              f"{running})")
        print(f"failures           {sum(n for c, n in codes.items() if c)} "
              f"{dict((c, n) for c, n in codes.items() if c) or ''}")
        if latencies:
            p95 = statistics.quantiles(latencies, n=100)[94] if len(latencies) > 1 \
                else latencies[0]
            print(f"per deploy         median {statistics.median(latencies):.2f} s, "
                  f"p95 {p95:.2f} s (submit to job done, with {args.concurrency} in flight)")
        return 0 if not any(codes.get(c) for c in codes if c) else 1
    finally:
        srv.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
