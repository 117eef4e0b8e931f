"""What the CloudStack API layer costs: a signed `listAccounts` against bare Flask.

Starts a real `cirrus serve` on loopback (the test suite's helpers: `cirrus init`, then
serve, waited for on /health, stopped by pid), then sends the same number of requests to

  (a) GET /health                      an unsigned, trivial Flask route: the floor set by
                                       gunicorn + Flask + HTTP keep-alive on this machine;
  (b) command=listAccounts, signed     by the `cs` library's own code, per request
                                       (signatureVersion=3 with expires, HMAC-SHA1): key
                                       lookup, signature check, authorization, the query
                                       scoped to the caller, and the JSON envelope;

from C concurrent clients, each with its own keep-alive session, and prints requests/s,
median and p95 latency of both and their ratio.

    .venv/bin/python bench/api_overhead.py [--requests 2000] [--concurrency 8]
                                           [--database-url mysql+pymysql://...]

Clients and server share this machine's cores, so the figures are for the pair.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from cs import CloudStack

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.support import server  # noqa: E402  (the repository root is on sys.path now)

Call = Callable[[], None]


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[94] * 1000


def measure(name: str, make_call: Callable[[], Call], total: int, concurrency: int,
            warmup: int) -> Result:
    """`total` calls split over `concurrency` threads, each with its own client."""
    calls = [make_call() for _ in range(concurrency)]
    shares = [total // concurrency + (1 if i < total % concurrency else 0)
              for i in range(concurrency)]
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[BaseException] = []
    start = threading.Barrier(concurrency + 1)

    def work(index: int) -> None:
        call, mine = calls[index], latencies[index]
        try:
            for _ in range(warmup):  # opens the keep-alive connection, warms the workers
                call()
            start.wait()
            for _ in range(shares[index]):
                began = time.perf_counter()
                call()
                mine.append(time.perf_counter() - began)
        except BaseException as exc:  # reported below; a bench with errors has no figures
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=work, args=(i,), daemon=True)
               for i in range(concurrency)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a client failed: see below
        start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{name}: {len(errors)} client(s) failed, first: {errors[0]!r}")
    return Result(name, sum(shares), seconds, [t for part in latencies for t in part])


def health_call(base: str) -> Call:
    session = requests.Session()
    url = f"{base}/health"

    def call() -> None:
        response = session.get(url, timeout=30)
        if response.status_code != 200 or response.text != "ok":
            raise RuntimeError(f"/health answered {response.status_code}: {response.text!r}")

    return call


def list_accounts_call(endpoint: str, key: str, secret: str) -> Call:
    client = CloudStack(endpoint=endpoint, key=key, secret=secret, timeout=30)

    def call() -> None:
        accounts = client.listAccounts()["account"]  # raises on any API error
        if not any(account["name"] == "admin" for account in accounts):
            raise RuntimeError(f"listAccounts did not return admin: {accounts!r}")

    return call


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per route")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per client")
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn API worker processes (cirrus serve's default: 2)")
    parser.add_argument("--database-url", help="an existing, empty database "
                        "(default: a fresh SQLite file in a temporary CIRRUS_HOME)")
    args = parser.parse_args(argv)
    if args.requests < args.concurrency or args.concurrency < 1:
        parser.error("--requests must be at least --concurrency, which must be at least 1")

    home = tempfile.mkdtemp(prefix="cirrus-bench-")
    database_url = args.database_url or f"sqlite:///{os.path.join(home, 'cirrus.db')}"
    backend = database_url.split(":", 1)[0]
    try:
        creds = server.init(database_url, home)
        srv = server.start(database_url, home=home, workers=args.workers)
    except BaseException:
        shutil.rmtree(home, ignore_errors=True)
        raise
    results: list[Result] = []
    try:
        print(f"cirrus serve pid {srv.process.pid} on {srv.base}: {args.workers} API workers x "
              f"8 threads, 1 job worker, {backend}; {os.cpu_count()} CPUs shared with the clients")
        print(f"{args.requests} requests per route from {args.concurrency} keep-alive clients "
              f"(after {args.warmup} warm-up requests each)\n")
        results.append(measure("GET /health (unsigned Flask route)",
                               lambda: health_call(srv.base),
                               args.requests, args.concurrency, args.warmup))
        results.append(measure("listAccounts (signed like cs, v3)",
                               lambda: list_accounts_call(srv.endpoint, creds["apikey"],
                                                          creds["secretkey"]),
                               args.requests, args.concurrency, args.warmup))
    finally:
        srv.stop()
        shutil.rmtree(home, ignore_errors=True)

    print(f"{'route':38} {'req/s':>8} {'median ms':>10} {'p95 ms':>8}")
    for result in results:
        print(f"{result.name:38} {result.rate:8.0f} {result.median_ms:10.2f} "
              f"{result.p95_ms:8.2f}")
    health, signed = results
    print(f"\nsigned listAccounts vs /health: {health.rate / signed.rate:.2f}x fewer requests/s, "
          f"median latency {signed.median_ms / health.median_ms:.2f}x, "
          f"+{signed.median_ms - health.median_ms:.2f} ms per request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
