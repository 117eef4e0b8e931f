"""`cirrus serve` as a process tree: the master stops the job workers it forked, and only it."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time

from tests.support import server


def _children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return {int(line) for line in found.stdout.split()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().split()[2] != "Z"


def test_sigterm_to_the_master_stops_job_workers_without_tracebacks() -> None:
    home = tempfile.mkdtemp(prefix="cirrus-cli-")
    url = f"sqlite:///{home}/cirrus.db"
    server.init(url, home)
    srv = server.start(url, home=home, job_workers=2, workers=2)
    try:
        children = _children(srv.process.pid)
        assert len(children) >= 4  # two API workers, two job workers
        # Only the master gets the signal (not the process group, as Server.stop sends):
        # it must pass the stop on to the job workers itself.
        srv.process.send_signal(signal.SIGTERM)
        assert srv.process.wait(60) == 0
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in children if _alive(pid)]
        assert "Traceback" not in srv.log()
    finally:
        srv.kill()
