"""API overhead: a signed listAccounts against an unsigned trivial route, same server.

Starts a real `cirrus serve` on loopback (SQLite by default), drives both with concurrent
keep-alive clients, prints requests/s, median and p95 latency, and their ratio.

    .venv/bin/python bench/api_overhead.py [--requests 2000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.support import server  # noqa: E402


def signed_params(key: str, secret: str) -> dict[str, str]:
    """listAccounts signed as the cs library signs it (signatureVersion 3 + expires)."""
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S%z")
    params = {"command": "listAccounts", "response": "json", "apiKey": key,
              "signatureVersion": "3", "expires": expires}
    canonical = "&".join(f"{k}={quote(v, safe='*')}" for k, v in sorted(params.items()))
    digest = hmac.new(secret.encode(), canonical.lower().encode(), hashlib.sha1).digest()
    return {**params, "signature": base64.b64encode(digest).decode()}


def measure(call: Callable[[requests.Session], None], total: int, concurrency: int
            ) -> tuple[float, list[float]]:
    """Run `total` calls over `concurrency` threads; returns (seconds, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = total // concurrency

    def work() -> None:
        mine = []
        with requests.Session() as session:
            for _ in range(per_thread):
                start = time.perf_counter()
                call(session)
                mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies


def report(name: str, elapsed: float, latencies: list[float]) -> float:
    rate = len(latencies) / elapsed
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"{name:28} {rate:9.1f} req/s   median {statistics.median(ordered) * 1000:7.2f} ms"
          f"   p95 {p95 * 1000:7.2f} ms   ({len(latencies)} requests)")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn API workers")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="cirrus-bench-")
    url = args.database_url or f"sqlite:///{os.path.join(home, 'cirrus.db')}"
    creds = server.init(url, home)
    srv = server.start(url, home=home, workers=args.workers)
    try:
        params = signed_params(creds["apikey"], creds["secretkey"])

        def signed(session: requests.Session) -> None:
            response = session.get(srv.endpoint, params=params, timeout=30)
            assert response.status_code == 200, response.text

        def trivial(session: requests.Session) -> None:
            response = session.get(f"{srv.base}/health", timeout=30)
            assert response.status_code == 200

        for call in (signed, trivial):  # warm up workers and connection pools
            measure(call, args.concurrency * 10, args.concurrency)
        print(f"cirrus serve: {args.workers} API workers x 8 threads, {url.split(':')[0]}, "
              f"{args.concurrency} concurrent clients, {os.cpu_count()} cores")
        api_rate = report("signed listAccounts", *measure(signed, args.requests,
                                                          args.concurrency))
        base_rate = report("unsigned GET /health", *measure(trivial, args.requests,
                                                            args.concurrency))
        print(f"ratio (signed / trivial throughput): {api_rate / base_rate:.3f}")
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
